import type { CommandContext } from "../commands/accounts";
import { purgeIdempotencyKeys } from "../event-store/idempotency";
import { type OrderRunReport, runDueOrders } from "./order-runner";
import { type RunReport, runDueTransfers } from "./transfer-runner";

export type MaintenanceReport = RunReport & OrderRunReport & { purgedKeys: number };

/**
 * What a deployment without a long-running server needs done on a schedule (the cron route): resume
 * due order payments, resume unfinished transfers and forget request keys older than they are kept. Any number may run at
 * once: transfers are claimed with leases, and the purge is an idempotent delete.
 */
export async function runScheduledWork(ctx: CommandContext, options: { runnerId: string; maxMs: number; now?: () => Date }): Promise<MaintenanceReport> {
  // Due order payments first: each becomes a transfer, which the transfer run then drives.
  const orders = await runDueOrders(ctx, { maxMs: options.maxMs / 2, now: options.now });
  const report = await runDueTransfers({ ctx, runnerId: options.runnerId }, { maxMs: options.maxMs / 2 });
  return { ...report, ...orders, purgedKeys: await purgeIdempotencyKeys(ctx.db) };
}
