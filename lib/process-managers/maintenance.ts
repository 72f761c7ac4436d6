import type { CommandContext } from "../commands/accounts";
import { purgeIdempotencyKeys } from "../event-store/idempotency";
import { type EventsOutReport, runEventsOut, withBroker } from "./events-out";
import { type RunReport, runDueTransfers } from "./transfer-runner";

export type MaintenanceReport = RunReport & { purgedKeys: number; events: EventsOutReport };

/**
 * What a deployment without a long-running server needs done on a schedule (the cron route): resume
 * unfinished transfers, forget request keys older than they are kept, and carry events out (the
 * webhook outbox, the broker relay when NATS_URL is set, due webhook deliveries). Any number may run
 * at once: transfers and deliveries are claimed with leases, subscriptions lock their row, and the
 * purge is an idempotent delete.
 */
export async function runScheduledWork(ctx: CommandContext, options: { runnerId: string; maxMs: number }): Promise<MaintenanceReport> {
  const report = await runDueTransfers({ ctx, runnerId: options.runnerId }, { maxMs: options.maxMs });
  const purgedKeys = await purgeIdempotencyKeys(ctx.db);
  const events = await withBroker((broker) => runEventsOut(ctx.db, { workerId: options.runnerId, maxMs: options.maxMs, broker }));
  return { ...report, purgedKeys, events };
}
