import { sql } from "drizzle-orm";

import journal from "../../drizzle/meta/_journal.json";
import { rowsOf, type Database } from "../db/client";
import { sqlState } from "../db/errors";
import { processDatabase } from "../db/process-database";
import { RUNNABLE_STATUSES } from "../domain/transfer/state";

/**
 * What `/api/ready` answers. Only facts an orchestrator or an operator needs: no host names, URLs or
 * database error text (those go to the log).
 */
export type Readiness = {
  readonly status: "ready" | "not-ready";
  readonly checks: {
    readonly database: { readonly ok: boolean; readonly latencyMs?: number; readonly error?: "timeout" | "unreachable" };
    /** The newest migration in this build's journal is recorded in the database. */
    readonly migrations?: { readonly ok: boolean; readonly expected: string };
    /** Every event has its read-model rows: the audit log (one row per event) reaches the last event. */
    readonly projections?: { readonly ok: boolean; readonly eventsBehind: number };
    /** Reported, never failing readiness: a stuck transfer needs the runner or an operator, not fewer instances. */
    readonly transfers?: { readonly stuck: number; readonly stuckAfterSeconds: number };
  };
};

const latestMigration = journal.entries.reduce((latest, entry) => (entry.when > latest.when ? entry : latest));
const RUNNABLE = [...RUNNABLE_STATUSES];

/** Postgres codes for "that schema or table does not exist": the database answers but was never migrated. */
const MISSING_RELATION = new Set(["42P01", "3F000"]);

async function runChecks(db: Database, stuckAfterSeconds: number): Promise<Readiness> {
  const started = performance.now();
  let lastApplied: bigint | undefined;
  try {
    const rows = rowsOf<{ last: string | null }>(await db.execute(sql`select max(created_at)::text as last from drizzle.__drizzle_migrations`));
    lastApplied = rows[0]?.last ? BigInt(rows[0].last) : undefined;
  } catch (error) {
    if (!MISSING_RELATION.has(sqlState(error) ?? "")) throw error;
  }
  const database = { ok: true, latencyMs: Math.round(performance.now() - started) };
  const migrations = { ok: lastApplied !== undefined && lastApplied >= BigInt(latestMigration.when), expected: latestMigration.tag };
  if (!migrations.ok) return { status: "not-ready", checks: { database, migrations } };

  // One statement, so both maxima come from one snapshot; projections commit with their events.
  const [row] = rowsOf<{ behind: number | string; stuck: number | string }>(
    await db.execute(sql`
      select
        (select count(*) from events
          where global_position > coalesce((select max(global_position) from audit_log), 0))::int as behind,
        (select count(*) from transfers_view
          where status in (${sql.join(
            RUNNABLE.map((status) => sql`${status}`),
            sql`, `,
          )})
            and updated_at < now() - (${stuckAfterSeconds}::int * interval '1 second'))::int as stuck`),
  );
  const eventsBehind = Number(row?.behind ?? 0);
  const projections = { ok: eventsBehind === 0, eventsBehind };
  const transfers = { stuck: Number(row?.stuck ?? 0), stuckAfterSeconds };
  return { status: projections.ok ? "ready" : "not-ready", checks: { database, migrations, projections, transfers } };
}

type Holder = { pending?: Promise<Readiness> };
// Probes from several load balancers share one check in flight instead of piling up on the pool.
const holder = ((globalThis as { __ledgerlineReadiness?: Holder }).__ledgerlineReadiness ??= {});

/**
 * Checks the database within `timeoutMs`: a slow or unreachable database answers not-ready in time
 * instead of holding the probe (the query may finish later; its result is then dropped).
 */
export async function checkReadiness(
  database: () => Promise<{ db: Database }>,
  options: { timeoutMs: number; stuckAfterSeconds: number },
): Promise<{ readiness: Readiness; error?: unknown }> {
  const pending = (holder.pending ??= database()
    .then(({ db }) => runChecks(db, options.stuckAfterSeconds))
    .finally(() => {
      if (holder.pending === pending) holder.pending = undefined;
    }));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), options.timeoutMs)));
  try {
    const result = await Promise.race([pending, timeout]);
    if (result === "timeout") {
      // Let the next probe start afresh rather than wait on a check that may never come back.
      if (holder.pending === pending) holder.pending = undefined;
      return { readiness: { status: "not-ready", checks: { database: { ok: false, error: "timeout" } } } };
    }
    return { readiness: result };
  } catch (error) {
    return { readiness: { status: "not-ready", checks: { database: { ok: false, error: "unreachable" } } }, error };
  } finally {
    clearTimeout(timer);
  }
}

/** The process's own database's readiness (for the /api/ready route). */
export const checkProcessReadiness = (options: Parameters<typeof checkReadiness>[1]) => checkReadiness(processDatabase, options);
