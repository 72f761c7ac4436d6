import { eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { accountSummary, auditLog, statementEntries } from "../db/schema";
import { type AccountStoredEvent, projectAccountRun } from "./account-projection";

/** Refreshes account_summary, statement_entries and audit_log inside the command's transaction. */
export async function projectAccountEvents(tx: Database, events: readonly AccountStoredEvent[]): Promise<void> {
  const first = events[0];
  if (!first) return;
  const accountId = first.streamId.slice("account-".length);
  const before =
    first.streamPosition === 1n
      ? undefined
      : (await tx.select().from(accountSummary).where(eq(accountSummary.accountId, accountId)))[0];
  const { summary, statement, audit } = projectAccountRun(before, events);
  if (summary) {
    const { accountId: _key, ...changes } = summary;
    await tx.insert(accountSummary).values(summary).onConflictDoUpdate({ target: accountSummary.accountId, set: changes });
  }
  if (statement.length > 0) await tx.insert(statementEntries).values(statement);
  if (audit.length > 0) await tx.insert(auditLog).values(audit);
}

export const PROJECTION_TABLES = ["account_summary", "statement_entries", "audit_log", "transfers_view", "sanctions_entries"] as const;
export const lockProjectionTables = (tx: Database) =>
  tx.execute(sql.raw(`lock table ${PROJECTION_TABLES.join(", ")} in exclusive mode`));
