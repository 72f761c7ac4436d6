import type { CommandContext } from "../commands/accounts";
import { runEventsOut, withBroker, type EventsOutReport } from "./events-out";
import { resumePendingInboundPayments } from "./inbound-payments";
import { runDueOrders, type OrderRunReport } from "./order-runner";
import { purgeExpiredRows, type PurgeReport } from "./retention";
import { runDueTransfers, type RunReport } from "./transfer-runner";

export type MaintenanceReport = RunReport & OrderRunReport & { purged: PurgeReport; inboundResumed: number; events: EventsOutReport };

/**
 * What a deployment without a long-running server needs done on a schedule (the cron route): make
 * due order payments, resume unfinished transfers and inbound payments a crash left waiting for
 * their credit, forget what is past its retention (request keys, old mail, refusal summaries, expired
 * links and challenges: lib/process-managers/retention.ts), and carry events out (the webhook
 * outbox, the broker relay when NATS_URL is set, due webhook deliveries). Any number may run at
 * once: transfers and deliveries are claimed with leases, an order's due date pays once by its
 * stream, an inbound credit is idempotent by its key, subscriptions lock their row, and the purge
 * is an idempotent delete.
 */
export async function runScheduledWork(
  ctx: CommandContext,
  options: { runnerId: string; maxMs: number; now?: () => Date },
): Promise<MaintenanceReport> {
  // Due order payments first: each becomes a transfer, which the transfer run then drives.
  const orders = await runDueOrders(ctx, { maxMs: options.maxMs / 3, now: options.now });
  const report = await runDueTransfers({ ctx, runnerId: options.runnerId }, { maxMs: options.maxMs / 3 });
  const inboundResumed = await resumePendingInboundPayments(ctx);
  const purged = await purgeExpiredRows(ctx.db);
  const events = await withBroker((broker) => runEventsOut(ctx.db, { workerId: options.runnerId, maxMs: options.maxMs / 3, broker }));
  return { ...report, ...orders, inboundResumed, purged, events };
}
