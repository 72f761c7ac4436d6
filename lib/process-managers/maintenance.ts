import type { CommandContext } from "../commands/accounts";
import { purgeIdempotencyKeys } from "../event-store/idempotency";
import { type RunReport, runDueTransfers } from "./transfer-runner";

export type MaintenanceReport = RunReport & { purgedKeys: number };

/**
 * What a deployment without a long-running server needs done on a schedule (the cron route): resume
 * unfinished transfers and forget request keys older than they are kept. Any number may run at
 * once: transfers are claimed with leases, and the purge is an idempotent delete.
 */
export async function runScheduledWork(ctx: CommandContext, options: { runnerId: string; maxMs: number }): Promise<MaintenanceReport> {
  const report = await runDueTransfers({ ctx, runnerId: options.runnerId }, { maxMs: options.maxMs });
  return { ...report, purgedKeys: await purgeIdempotencyKeys(ctx.db) };
}
