import type { AuditLogRow } from "../db/schema";
import type { StoredEvent } from "../event-store/types";

type Described = Pick<AuditLogRow, "outcome" | "accountId" | "customerId" | "summary" | "reason" | "changes">;

/**
 * An audit row: where the event sits in the log and who caused it, plus what the projection says
 * about it. Built as one literal: on Node 20, `{ ...base, more }` takes V8's slow path (about a
 * microsecond a row), which a million-event rebuild feels.
 */
export function auditRow(event: StoredEvent<{ type: string; data: unknown }>, described: Described): AuditLogRow {
  const { metadata } = event;
  return {
    globalPosition: event.globalPosition,
    eventId: event.eventId,
    streamId: event.streamId,
    streamPosition: event.streamPosition,
    eventType: event.type,
    outcome: described.outcome,
    actorId: metadata.actorId,
    actorRole: metadata.actorRole,
    commandId: metadata.commandId,
    correlationId: metadata.correlationId,
    accountId: described.accountId,
    customerId: described.customerId,
    summary: described.summary,
    reason: described.reason,
    changes: described.changes,
    recordedAt: event.recordedAt,
  };
}
