import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { insertRows, upsertRow } from "../db/rows";
import { accountSummary, auditLog, statementEntries } from "../db/schema";
import type { AccountState } from "../domain/account/state";
import type { Projection, ProjectionContext } from "../event-store/handle-command";
import { type AccountStoredEvent, projectAccountRun, summaryFromState } from "./account-projection";

/**
 * account_summary, statement_entries and audit_log for a run of one account's events, as one
 * statement that goes out with the append, and the summary row after each event (the API answers
 * with it). The "before" row is the state the events were decided on, so nothing is read back.
 */
export function projectAccountEvents(events: readonly AccountStoredEvent[], context: ProjectionContext<AccountState>): Projection {
  const first = events[0];
  if (!first) return { writes: [] };
  const openedAt = context.streamCreatedAt ?? first.recordedAt;
  const before = first.streamPosition === 1n ? undefined : summaryFromState(context.stateBefore, first.streamPosition - 1n, openedAt);
  const { summary, statement, audit, after } = projectAccountRun(before, events);
  const writes = [
    ...(summary ? [upsertRow(accountSummary, summary, ["opened_at"])] : []),
    ...(statement.length > 0 ? [insertRows(statementEntries, statement)] : []),
    ...(audit.length > 0 ? [insertRows(auditLog, audit)] : []),
  ];
  return { writes: [combined(writes)].filter((write): write is SQL => write !== undefined), rows: after };
}

/**
 * Several writes as one statement (data-modifying CTEs), so the database parses, plans and
 * answers one statement instead of three while the account's stream row is locked.
 */
function combined(writes: SQL[]): SQL | undefined {
  const main = writes.at(-1);
  if (!main) return undefined;
  const ctes = writes.slice(0, -1).map((write, index) => sql`w${sql.raw(String(index))} as (${write})`);
  return ctes.length > 0 ? sql`with ${sql.join(ctes, sql`, `)} ${main}` : main;
}

export const PROJECTION_TABLES = ["account_summary", "statement_entries", "audit_log", "transfers_view", "sanctions_entries"] as const;
export const lockProjectionTables = (tx: Database) =>
  tx.execute(sql.raw(`lock table ${PROJECTION_TABLES.join(", ")} in exclusive mode`));
