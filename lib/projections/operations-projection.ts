import type { AuditLogRow } from "../db/schema";
import type { OperationsEvent } from "../domain/operations/events";
import type { StoredEvent } from "../event-store/types";
import { auditRow } from "./audit-base";

export function operationsAuditEntry(event: StoredEvent<OperationsEvent>): AuditLogRow {
  const e = event.event;
  const summary =
    e.type === "ProjectionsVerified"
      ? `Verified the read models against ${e.data.events} events: ${e.data.differences === 0 ? "no differences" : `${e.data.differences} differences`}`
      : `Rebuilt the read models from ${e.data.events} events`;
  return auditRow(event, {
    outcome: e.type === "ProjectionsVerified" && e.data.differences > 0 ? "rejected" : "accepted",
    accountId: null,
    customerId: null,
    summary,
    reason: null,
    // Sorted keys: the event's data comes back from jsonb in jsonb's key order, not the writer's, and
    // a replay must write the same text as the command did.
    changes:
      e.type === "ProjectionsRebuilt"
        ? { rows: { from: null, to: JSON.stringify(Object.fromEntries(Object.entries(e.data.rows).sort(([a], [b]) => a.localeCompare(b)))) } }
        : {},
  });
}
