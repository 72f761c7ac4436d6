import { insertRowsStatement, upsertRowStatement } from "../db/rows";
import { accountSummary, auditLog, statementEntries } from "../db/schema";
import type { AccountState } from "../domain/account/state";
import type { Projection, ProjectionContext } from "../event-store/handle-command";
import { projectAccountRun, summaryFromState, type AccountStoredEvent } from "./account-projection";
import { accountNotification, notificationWrites } from "./notification-projection";

/**
 * account_summary, statement_entries and audit_log for a run of one account's events, as writes
 * that go out with the append (in the same statement), and the summary row after each event (the
 * API answers with it). The "before" row is the state the events were decided on, so nothing is read back.
 */
export function projectAccountEvents(events: readonly AccountStoredEvent[], context: ProjectionContext<AccountState>): Projection {
  const first = events[0];
  if (!first) return { writes: [] };
  const openedAt = context.streamCreatedAt ?? first.recordedAt;
  const before = first.streamPosition === 1n ? undefined : summaryFromState(context.stateBefore, first.streamPosition - 1n, openedAt);
  const { summary, statement, audit, after } = projectAccountRun(before, events);
  return {
    writes: [
      ...(summary ? [upsertRowStatement(accountSummary, summary, ["opened_at"])] : []),
      ...(statement.length > 0 ? [insertRowsStatement(statementEntries, statement)] : []),
      ...(audit.length > 0 ? [insertRowsStatement(auditLog, audit)] : []),
      ...notificationWrites(
        events.map((event, index) => {
          const row = after[index];
          return row ? accountNotification(row, event) : undefined;
        }),
      ),
    ],
    rows: after,
  };
}
