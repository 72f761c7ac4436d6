import type { CommandContext } from "../commands/accounts";
import { purgeIdempotencyKeys } from "../event-store/idempotency";
import { resumePendingInboundPayments } from "./inbound-payments";
import { type RunReport, runDueTransfers } from "./transfer-runner";

export type MaintenanceReport = RunReport & { purgedKeys: number; inboundResumed: number };

/**
 * What a deployment without a long-running server needs done on a schedule (the cron route): resume
 * unfinished transfers and inbound payments a crash left waiting for their credit, and forget request
 * keys older than they are kept. Any number may run at once: transfers are claimed with leases, an
 * inbound credit is idempotent by its key, and the purge is an idempotent delete.
 */
export async function runScheduledWork(ctx: CommandContext, options: { runnerId: string; maxMs: number }): Promise<MaintenanceReport> {
  const report = await runDueTransfers({ ctx, runnerId: options.runnerId }, { maxMs: options.maxMs });
  const inboundResumed = await resumePendingInboundPayments(ctx);
  return { ...report, inboundResumed, purgedKeys: await purgeIdempotencyKeys(ctx.db) };
}
