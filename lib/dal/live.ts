import "server-only";

import { randomUUID } from "node:crypto";

import { and, count, eq, lt, sql } from "drizzle-orm";

import type { SessionUser } from "../auth/users";
import { database } from "../db";
import type { DatabaseHandle } from "../db/client";
import { onEventsAppended } from "../db/notify";
import { liveStreams } from "../db/schema";
import { env } from "../env";
import { log } from "../log";
import { decodeLivePosition, encodeLivePosition, livePositionNow, readLiveChanges, type LivePosition } from "../read-models/live";

/** A stream's lease in `live_streams`: renewed every HEARTBEAT_MS, gone LEASE_SECONDS after a crash. */
const LEASE_SECONDS = 90;
const HEARTBEAT_MS = 25_000;
/** Looked at even without a notification (a pooler that cannot LISTEN, a transaction that held xmin back). */
const FALLBACK_LOOK_MS = 5_000;
/** A reconnect this far behind is not replayed event by event: the browser refetches everything. */
const MAX_CATCH_UP_BATCHES = 20;

export type LiveStreamOptions = {
  readonly handle: DatabaseHandle;
  readonly userId: string;
  /** The Last-Event-ID header (or `lastEventId` query parameter) of a reconnecting browser. */
  readonly lastEventId?: string | null;
  readonly maxStreams: number;
  readonly maxSeconds: number;
  readonly signal?: AbortSignal;
};

/**
 * Takes one of the user's stream slots, or answers false when all are taken. One transaction under
 * a per-user advisory lock, so two instances opening at once cannot both take the last slot.
 */
export async function acquireLiveSlot(handle: DatabaseHandle, userId: string, maxStreams: number): Promise<string | undefined> {
  const id = randomUUID();
  const taken = await handle.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`live-streams:${userId}`}, 0))`);
    await tx.delete(liveStreams).where(and(eq(liveStreams.userId, userId), lt(liveStreams.expiresAt, sql`now()`)));
    const [row] = await tx.select({ open: count() }).from(liveStreams).where(eq(liveStreams.userId, userId));
    if ((row?.open ?? 0) >= maxStreams) return false;
    await tx.insert(liveStreams).values({ id, userId, expiresAt: sql`now() + make_interval(secs => ${LEASE_SECONDS})` });
    return true;
  });
  return taken ? id : undefined;
}

export async function renewLiveSlot(handle: DatabaseHandle, slotId: string): Promise<void> {
  await handle.db
    .update(liveStreams)
    .set({ expiresAt: sql`now() + make_interval(secs => ${LEASE_SECONDS})` })
    .where(eq(liveStreams.id, slotId));
}

export async function releaseLiveSlot(handle: DatabaseHandle, slotId: string): Promise<void> {
  await handle.db.delete(liveStreams).where(eq(liveStreams.id, slotId));
}

const encoder = new TextEncoder();

function frame(fields: { id?: string; event?: string; data?: unknown; retry?: number; comment?: string }): Uint8Array {
  let text = "";
  if (fields.comment) text += `: ${fields.comment}\n`;
  if (fields.retry !== undefined) text += `retry: ${fields.retry}\n`;
  if (fields.id) text += `id: ${fields.id}\n`;
  if (fields.event) text += `event: ${fields.event}\n`;
  if (fields.data !== undefined) text += `data: ${JSON.stringify(fields.data)}\n`;
  return encoder.encode(`${text}\n`);
}

/**
 * The live-update stream of one signed-in customer (the caller checked the session): Server-Sent
 * Events naming which of their accounts and transfers changed, in the gap-free global order, from
 * the Last-Event-ID of a reconnect or from now. The browser refetches what it shows through the
 * ordinary owner-checked routes; no balances or names travel on the stream. 429 when the user
 * already has `maxStreams` open.
 */
export async function openLiveStream(options: LiveStreamOptions): Promise<Response> {
  const { handle, userId } = options;
  const slotId = await acquireLiveSlot(handle, userId, options.maxStreams);
  if (!slotId) {
    return Response.json(
      { error: "Too many live pages open; this one refreshes itself less often." },
      { status: 429, headers: { "retry-after": "30", "cache-control": "no-store" } },
    );
  }
  const resumedFrom = decodeLivePosition(options.lastEventId);
  let closed = false;
  let wake: () => void = () => {};
  const stop = () => {
    closed = true;
    wake();
  };
  options.signal?.addEventListener("abort", stop, { once: true });

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (bytes: Uint8Array) => {
        if (!closed) controller.enqueue(bytes);
      };
      void (async () => {
        let unsubscribe: (() => void) | undefined;
        try {
          let position: LivePosition = resumedFrom ?? (await livePositionNow(handle.db));
          // Browsers reconnect after `retry` ms; the first event carries the position to resume from.
          send(frame({ retry: 2_000, id: encodeLivePosition(position), event: "ready", data: { resumed: resumedFrom !== undefined } }));
          let pending = false;
          unsubscribe = await onEventsAppended(handle, () => {
            pending = true;
            wake();
          });
          const endAt = Date.now() + options.maxSeconds * 1000;
          let heartbeatAt = Date.now() + HEARTBEAT_MS;
          let batches = 0;
          while (!closed && Date.now() < endAt) {
            pending = false;
            const batch = await readLiveChanges(handle.db, userId, position);
            for (const change of batch.changes) {
              send(
                frame({
                  id: encodeLivePosition(change.position),
                  event: "change",
                  data: { kind: change.kind, id: change.id, type: change.eventType },
                }),
              );
            }
            if (batch.position !== position && batch.changes.at(-1)?.position !== batch.position) {
              // Past other customers' events: move the resume point without telling anything.
              send(frame({ id: encodeLivePosition(batch.position) }));
            }
            position = batch.position;
            if (batch.more) {
              if (++batches < MAX_CATCH_UP_BATCHES) continue;
              position = await livePositionNow(handle.db);
              send(frame({ id: encodeLivePosition(position), event: "reset", data: {} }));
            }
            batches = 0;
            if (Date.now() >= heartbeatAt) {
              heartbeatAt = Date.now() + HEARTBEAT_MS;
              send(frame({ comment: "keep-alive" }));
              await renewLiveSlot(handle, slotId);
            }
            if (pending || closed) continue;
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, Math.min(FALLBACK_LOOK_MS, Math.max(0, heartbeatAt - Date.now())));
              wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
          }
        } catch (error) {
          if (!closed) log().warn({ event: "live-stream", err: error }, "live stream ended on an error; the browser reconnects");
        } finally {
          unsubscribe?.();
          closed = true;
          options.signal?.removeEventListener("abort", stop);
          await releaseLiveSlot(handle, slotId).catch(() => {});
          try {
            controller.close();
          } catch {
            // already closed by the client going away
          }
        }
      })();
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "private, no-store, no-transform",
      connection: "keep-alive",
      // Nginx and similar proxies would otherwise buffer the stream.
      "x-accel-buffering": "no",
    },
  });
}

/** For the route: the signed-in user's stream, with this process's database and settings. */
export async function openMyLiveStream(user: SessionUser, request: Request): Promise<Response> {
  const handle = await database();
  const settings = env();
  const url = new URL(request.url);
  return openLiveStream({
    handle,
    userId: user.id,
    lastEventId: request.headers.get("last-event-id") ?? url.searchParams.get("lastEventId"),
    maxStreams: settings.LIVE_STREAMS_PER_USER,
    maxSeconds: settings.LIVE_STREAM_SECONDS,
    signal: request.signal,
  });
}
