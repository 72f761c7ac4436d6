import postgres from "postgres";

import { log, round } from "../support";

// ---------------------------------------------------------------------------------------------
// Statements per request, from pg_stat_statements when the server loads it

export type StatementFigures = { calls: number; totalMs: number; meanMs: number; query: string }[];

export async function statementStats(databaseUrl: string, action: "reset" | "read"): Promise<StatementFigures | null> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const loaded = await sql<
      { on: boolean }[]
    >`select 'pg_stat_statements' = any(string_to_array(current_setting('shared_preload_libraries'), ', ')) as on`;
    if (!loaded[0]?.on) return null;
    await sql`create extension if not exists pg_stat_statements`;
    if (action === "reset") {
      await sql`select pg_stat_statements_reset()`;
      return [];
    }
    const rows = await sql<{ calls: string; total: number; query: string }[]>`
      select calls::text, total_exec_time as total, query from pg_stat_statements
      where dbid = (select oid from pg_database where datname = current_database())
      order by total_exec_time desc`;
    return rows.map((row) => ({
      calls: Number(row.calls),
      totalMs: round(row.total, 1),
      meanMs: round(row.total / Number(row.calls), 3),
      query: row.query.replace(/\s+/g, " ").slice(0, 160),
    }));
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Explicit COMMITs (transaction blocks); statements sent outside a block commit on their own, unseen here. */
export const commitCalls = (statements: StatementFigures) =>
  statements.filter((s) => /^\s*(commit|end)\b/i.test(s.query)).reduce((n, s) => n + s.calls, 0);

export function printStatements(statements: StatementFigures | null, requests: number, writes: number): void {
  if (!statements) return;
  const calls = statements.reduce((n, s) => n + s.calls, 0);
  const total = statements.reduce((n, s) => n + s.totalMs, 0);
  log(
    `statements: ${round(calls / Math.max(1, requests), 1)} per request, ${round(total / Math.max(1, requests), 2)} ms of execution per request, ` +
      `${writes > 0 ? round(commitCalls(statements) / writes, 2) : "n/a"} COMMIT per write; top by time:`,
  );
  for (const s of statements.slice(0, 8)) log(`  ${String(s.calls).padStart(7)} x ${String(s.meanMs).padStart(7)} ms  ${s.query}`);
}
