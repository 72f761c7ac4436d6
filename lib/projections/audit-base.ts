import type { AuditLogRow } from "../db/schema";
import type { StoredEvent } from "../event-store/types";

/** The part of an audit row every event shares: where it sits in the log and who caused it. */
export function auditBase(
  event: StoredEvent<{ type: string; data: unknown }>,
): Pick<
  AuditLogRow,
  "globalPosition" | "eventId" | "streamId" | "streamPosition" | "eventType" | "actorId" | "actorRole" | "commandId" | "correlationId" | "recordedAt"
> {
  return {
    globalPosition: event.globalPosition,
    eventId: event.eventId,
    streamId: event.streamId,
    streamPosition: event.streamPosition,
    eventType: event.type,
    actorId: event.metadata.actorId,
    actorRole: event.metadata.actorRole,
    commandId: event.metadata.commandId,
    correlationId: event.metadata.correlationId,
    recordedAt: event.recordedAt,
  };
}
