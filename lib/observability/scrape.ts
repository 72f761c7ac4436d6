import { sql } from "drizzle-orm";

import { rowsOf, type DatabaseHandle } from "../db/client";
import { processDatabase } from "../db/process-database";
import { RUNNABLE_STATUSES } from "../domain/transfer/state";
import { log } from "../log";
import { metrics } from "./metrics";
import { subscriptionLags } from "./subscription-lag";

/** Every status transfers_view knows, so a status that empties out reads 0 rather than vanishing. */
const TRANSFER_STATUSES = ["requested", "held", "screened", "reserved", "sent", "credited", "releasing", "completed", "failed"];
const RUNNABLE = [...RUNNABLE_STATUSES];

/**
 * Refreshes the gauges that are read from the database at scrape time: transfers by status, the
 * oldest unfinished transfer, and this instance's connections.
 */
export async function refreshDatabaseGauges(
  handle: Pick<DatabaseHandle, "db" | "kind" | "poolMax" | "applicationName">,
  options: { timeoutMs?: number } = {},
): Promise<boolean> {
  const m = metrics();
  let timer: NodeJS.Timeout | undefined;
  try {
    // A database that does not answer must not hold the scrape past Prometheus's own timeout.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("database gauges timed out")), options.timeoutMs ?? 2_000);
    });
    await Promise.race([readDatabaseGauges(handle), timeout]);
    m.dbUp.set(1);
    return true;
  } catch (error) {
    // A stale figure would lie: drop the database gauges and say the database did not answer.
    for (const gauge of [
      m.transfers,
      m.oldestUnfinishedTransferSeconds,
      m.dbPoolMax,
      m.dbConnections,
      m.subscriptionLagEvents,
      m.subscriptionLagSeconds,
      m.webhookDeliveries,
    ])
      gauge.reset();
    m.dbUp.set(0);
    log().warn({ err: error }, "metrics: database gauges unavailable");
    return false;
  } finally {
    clearTimeout(timer);
  }
}

async function readDatabaseGauges(handle: Pick<DatabaseHandle, "db" | "kind" | "poolMax" | "applicationName">): Promise<void> {
  const m = metrics();
  const byStatus = rowsOf<{ status: string; count: number | string }>(
    await handle.db.execute(sql`select status, count(*)::int as count from transfers_view group by status`),
  );
  m.transfers.reset();
  for (const status of TRANSFER_STATUSES) m.transfers.set({ status }, 0);
  for (const row of byStatus) m.transfers.set({ status: row.status }, Number(row.count));

  const [oldest] = rowsOf<{ seconds: number | string | null }>(
    await handle.db.execute(sql`
      select extract(epoch from now() - min(updated_at))::float8 as seconds from transfers_view
      where status in (${sql.join(
        RUNNABLE.map((status) => sql`${status}`),
        sql`, `,
      )})`),
  );
  m.oldestUnfinishedTransferSeconds.set(Math.max(0, Number(oldest?.seconds ?? 0)));

  m.subscriptionLagEvents.reset();
  m.subscriptionLagSeconds.reset();
  for (const lag of await subscriptionLags(handle.db)) {
    m.subscriptionLagEvents.set({ subscription: lag.name }, lag.lagEvents);
    m.subscriptionLagSeconds.set({ subscription: lag.name }, lag.lagSeconds);
  }
  m.webhookDeliveries.reset();
  for (const status of ["pending", "delivered", "failed"]) m.webhookDeliveries.set({ status }, 0);
  const deliveries = rowsOf<{ status: string; count: number | string }>(
    await handle.db.execute(sql`select status, count(*)::int as count from webhook_deliveries group by status`),
  );
  for (const row of deliveries) m.webhookDeliveries.set({ status: row.status }, Number(row.count));

  m.dbPoolMax.reset();
  m.dbPoolMax.set({ driver: handle.kind }, handle.poolMax);
  m.dbConnections.reset();
  if (handle.kind !== "postgres" || !handle.applicationName) return;
  // postgres.js keeps no pool statistics, so ask the server: connections named after this process.
  const states = rowsOf<{ state: string | null; count: number | string }>(
    await handle.db.execute(sql`
      select coalesce(state, 'unknown') as state, count(*)::int as count from pg_stat_activity
      where application_name = ${handle.applicationName} and pid <> pg_backend_pid()
      group by 1`),
  );
  for (const state of ["active", "idle", "idle in transaction"]) m.dbConnections.set({ state }, 0);
  for (const row of states) m.dbConnections.set({ state: row.state ?? "unknown" }, Number(row.count));
}

/** The gauges of the process's own database (for the /api/metrics route). */
export const refreshProcessGauges = async (options: { timeoutMs: number }) => refreshDatabaseGauges(await processDatabase(), options);
