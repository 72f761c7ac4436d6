import type { CommandContext } from "../commands/accounts";
import type { Database } from "../db/client";
import { log } from "../log";
import { runEventsOut } from "./events-out";
import { resumePendingInboundPayments } from "./inbound-payments";
import { natsBroker, natsStreamFor } from "./nats-broker";
import { runDueOrders } from "./order-runner";
import type { EventBroker } from "./relay";
import { purgeExpiredRows } from "./retention";
import { runDueTransfers } from "./transfer-runner";

/** How often a server forgets what is past its retention (any instance may: the deletes are idempotent). */
const PURGE_EVERY_MS = 10 * 60_000;

type Loop = { timer?: NodeJS.Timeout; purgedAt?: number };
const loop = ((globalThis as { __ledgerlineTransferLoop?: Loop }).__ledgerlineTransferLoop ??= {});

/**
 * In a long-running server, resumes transfers that a crash or a slow request left unfinished.
 * Any number of instances may run it: claims are leased in the database, not in memory.
 */
export function startTransferLoop(context: () => Promise<CommandContext>, intervalMs: number): void {
  if (loop.timer || intervalMs <= 0) return;
  let busy = false;
  loop.timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      try {
        const ctx = await context();
        const orders = await runDueOrders(ctx, { maxMs: Math.max(intervalMs * 5, 5_000) });
        if (orders.ordersStarted + orders.ordersFailed > 0) log().info({ event: "order-loop", ...orders }, "made due order payments");
        const report = await runDueTransfers({ ctx, runnerId: `loop-${process.pid}` }, { maxMs: Math.max(intervalMs * 5, 5_000) });
        if (report.claimed > 0) log().info({ event: "transfer-loop", ...report }, "resumed transfers");
        const inbound = await resumePendingInboundPayments(ctx);
        if (inbound > 0) log().info({ event: "inbound-loop", advanced: inbound }, "resumed inbound payments");
        if (Date.now() - (loop.purgedAt ?? 0) > PURGE_EVERY_MS) {
          loop.purgedAt = Date.now();
          const purged = await purgeExpiredRows(ctx.db);
          if (Object.values(purged).some((count) => count > 0))
            log().info({ event: "retention-purge", ...purged }, "forgot rows past their retention");
        }
      } catch (error) {
        log().error({ event: "transfer-loop", err: error }, "transfer loop failed; it tries again next interval");
      } finally {
        busy = false;
      }
    })();
  }, intervalMs);
  loop.timer.unref();
}

type EventsLoop = { timer?: NodeJS.Timeout; broker?: Promise<EventBroker> };
const eventsLoop = ((globalThis as { __ledgerlineEventsOutLoop?: EventsLoop }).__ledgerlineEventsOutLoop ??= {});

/**
 * In a long-running server, carries events out every interval: webhook outbox, broker relay (with
 * one NATS connection per process, kept on the globalThis loop record) and due deliveries. Any
 * number of instances may run it.
 */
export function startEventsOutLoop(database: () => Promise<Database>, intervalMs: number, natsUrl: string | undefined, subjectPrefix?: string): void {
  if (eventsLoop.timer || intervalMs <= 0) return;
  let busy = false;
  eventsLoop.timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void (async () => {
      try {
        if (natsUrl && !eventsLoop.broker) {
          eventsLoop.broker = natsBroker(natsUrl, subjectPrefix ? natsStreamFor(subjectPrefix) : {});
          eventsLoop.broker.catch(() => (eventsLoop.broker = undefined));
        }
        const broker = eventsLoop.broker ? await eventsLoop.broker : undefined;
        const report = await runEventsOut(await database(), { workerId: `loop-${process.pid}`, maxMs: Math.max(intervalMs * 5, 5_000), broker });
        if (report.attempted > 0 || report.relayed > 0 || report.mail.attempted + report.mail.kept > 0)
          log().debug({ event: "events-out", ...report }, "carried events out");
      } catch (error) {
        log().error({ event: "events-out", err: error }, "events-out loop failed; it tries again next interval");
      } finally {
        busy = false;
      }
    })();
  }, intervalMs);
  eventsLoop.timer.unref();
}
