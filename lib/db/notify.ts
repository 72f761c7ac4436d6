import { log } from "../log";
import { pgliteOf } from "./adapter";
import { postgresClientOf, type DatabaseHandle } from "./client";

/** The channel the `events_notify` trigger signals once per transaction that appends events. */
export const EVENTS_CHANNEL = "ledgerline_events";

type Hub = { readonly listeners: Set<() => void>; listening?: Promise<void> };
// On the Database object under a registered symbol, not in a module-level map: Next loads this
// module once per bundle, and one LISTEN per process and database is enough for every stream.
const HUB = Symbol.for("ledgerline.eventsHub");

function hubOf(handle: DatabaseHandle): Hub {
  const holder = handle.db as { [HUB]?: Hub };
  if (!holder[HUB]) Object.defineProperty(holder, HUB, { value: { listeners: new Set() } satisfies Hub });
  return holder[HUB] as Hub;
}

async function listen(handle: DatabaseHandle, notify: () => void): Promise<void> {
  const postgres = postgresClientOf(handle.db);
  if (postgres) {
    // postgres.js keeps one dedicated connection for all of a pool's listeners and re-listens
    // after it reconnects.
    await postgres.client.listen(EVENTS_CHANNEL, notify);
    return;
  }
  const pglite = pgliteOf(handle.db);
  if (!pglite) throw new Error("this database cannot LISTEN");
  await pglite.listen(EVENTS_CHANNEL, notify);
}

/**
 * Calls `listener` whenever another transaction (on any instance) has appended events. A wake-up
 * only: it carries nothing, may come late, merged or not at all (a transaction pooler cannot
 * LISTEN), so callers read the global order after it and also look on a timer. Returns the
 * unsubscribe function.
 */
export async function onEventsAppended(handle: DatabaseHandle, listener: () => void): Promise<() => void> {
  const hub = hubOf(handle);
  hub.listeners.add(listener);
  hub.listening ??= listen(handle, () => {
    for (const each of hub.listeners) each();
  }).catch((error: unknown) => {
    hub.listening = undefined;
    log().warn({ event: "events-listen", err: error }, "cannot LISTEN for new events; live streams fall back to their timer");
  });
  await hub.listening;
  return () => {
    hub.listeners.delete(listener);
  };
}
