import { eq, sql } from "drizzle-orm";
import { insertRows, upsertRow } from "../db/rows";
import { type Database, rowsOf } from "../db/client";
import { toDate } from "../event-store/read";
import { type AccountSummaryRow, accountSummary, auditLog, statementEntries } from "../db/schema";
import type { AccountState } from "../domain/account/state";
import { type AccountStoredEvent, projectAccountRun, summaryFromState } from "./account-projection";

/**
 * Refreshes account_summary, statement_entries and audit_log inside the command's transaction, and
 * returns the account_summary row as written (callers answer with it instead of reading it back).
 */
export async function projectAccountEvents(
  tx: Database,
  events: readonly AccountStoredEvent[],
  context?: { stateBefore: AccountState },
): Promise<AccountSummaryRow | undefined> {
  const first = events[0];
  if (!first) return undefined;
  const accountId = first.streamId.slice("account-".length);
  // The handler passes the state it decided on, which is what the summary row holds; reading the
  // row back is only needed when called without it.
  const before =
    first.streamPosition === 1n
      ? undefined
      : context
        ? summaryFromState(context.stateBefore, first.streamPosition - 1n)
        : (await tx.select().from(accountSummary).where(eq(accountSummary.accountId, accountId)))[0];
  const { summary, statement, audit } = projectAccountRun(before, events);
  // One statement for all three read models: it runs while the account's stream row is locked,
  // so every round trip saved here is throughput on a hot account.
  const others = [
    ...(statement.length > 0 ? [insertRows(statementEntries, statement)] : []),
    ...(audit.length > 0 ? [insertRows(auditLog, audit)] : []),
  ];
  // The summary upsert is the main statement, so its RETURNING reaches us: opened_at is set by the
  // insert and never rewritten (a "before" built from state does not know it).
  const main = summary ? sql`${upsertRow(accountSummary, summary, ["opened_at"])} returning opened_at` : others.pop();
  if (!main) return undefined;
  const ctes = others.map((write, index) => sql`w${sql.raw(String(index))} as (${write} returning 1)`);
  const result = await tx.execute(ctes.length > 0 ? sql`with ${sql.join(ctes, sql`, `)} ${main}` : main);
  const openedAt = rowsOf<{ opened_at: unknown }>(result)[0]?.opened_at;
  return summary && openedAt != null ? { ...summary, openedAt: toDate(openedAt) } : undefined;
}
