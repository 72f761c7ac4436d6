import type { z } from "zod";

import type { AccountSummaryRow, AuditLogRow, StatementEntryRow, TransferViewRow } from "../db/schema";
import type { RawEvent, StoredEvent } from "../event-store/types";
import { toAccountDto, toStatementEntryDto } from "../read-models/accounts";
import { toTransferDto } from "../read-models/transfers";
import type { Account, AuditEntry, CommandEvent, StatementEntry, StoredEvent as StoredEventSchema, Transfer } from "./schemas";

// The API's shapes (docs/api.md) from the same read models and DTO mappers the portal uses; amounts and
// positions stay bigints here and are written as exact JSON integers (./json.ts).

export function toApiAccount(row: AccountSummaryRow): z.input<typeof Account> {
  const dto = toAccountDto(row);
  return {
    id: dto.id,
    number: dto.number,
    ownerId: row.customerId,
    nickname: dto.nickname,
    currency: dto.currency,
    status: dto.status.toLowerCase() as z.input<typeof Account>["status"],
    balance: row.balance,
    reserved: row.reserved,
    available: row.available,
    version: row.version,
    openedAt: dto.openedAt,
  };
}

export function toApiCommandEvent(event: StoredEvent<{ type: string; data: unknown }>): z.input<typeof CommandEvent> {
  return {
    id: event.eventId,
    type: event.type,
    streamPosition: event.streamPosition,
    globalPosition: event.globalPosition,
    recordedAt: event.recordedAt.toISOString(),
    data: event.data as Record<string, unknown>,
  };
}

export function toApiStatementEntry(row: StatementEntryRow): z.input<typeof StatementEntry> {
  const dto = toStatementEntryDto(row);
  return {
    position: row.streamPosition,
    kind: dto.kind,
    outcome: dto.outcome,
    amount: row.amount,
    balanceChange: row.balanceChange,
    balanceAfter: row.balanceAfter,
    currency: dto.currency,
    reference: dto.reference,
    counterparty: dto.counterparty,
    transferId: row.transferId,
    rejectionCode: dto.rejectionCode,
    recordedAt: dto.recordedAt,
  };
}

/**
 * The API names six transfer statuses (docs/api.md); the read model has two more in-between ones, shown as the
 * stage they belong to: `screened` (passed screening, nothing reserved yet) is still `requested`, and
 * `releasing` (the payee refused; the hold is being released) still has the money `reserved`. The
 * `steps` list tells the whole story.
 */
const API_STATUS: Record<string, z.input<typeof Transfer>["status"]> = {
  requested: "requested",
  screened: "requested",
  held: "held",
  reserved: "reserved",
  releasing: "reserved",
  sent: "sent",
  credited: "credited",
  completed: "completed",
  failed: "failed",
};

/** A transfer as `viewer` sees it (the other party's name masked); an admin who is neither party sees no direction. */
export function toApiTransfer(row: TransferViewRow, viewer: { id: string; role: string }): z.input<typeof Transfer> {
  const dto = toTransferDto(row, viewer.id);
  const party = viewer.id === row.fromCustomerId || viewer.id === row.toCustomerId;
  return {
    id: dto.id,
    status: API_STATUS[row.status] ?? "requested",
    direction: party ? dto.direction : null,
    amount: row.amount,
    currency: dto.currency,
    reference: dto.reference,
    from: { ...dto.from, number: row.fromNumber },
    to: { ...dto.to, number: row.toNumber },
    external: row.external,
    steps: dto.steps,
    failure: dto.failure,
    requestedAt: dto.requestedAt,
    updatedAt: dto.updatedAt,
  };
}

export function toApiStoredEvent(raw: RawEvent): z.input<typeof StoredEventSchema> {
  return {
    globalPosition: raw.globalPosition,
    transactionId: raw.transactionId,
    streamId: raw.streamId,
    streamPosition: raw.streamPosition,
    eventId: raw.eventId,
    type: raw.type,
    schemaVersion: raw.schemaVersion,
    data: raw.data,
    metadata: raw.metadata,
    recordedAt: raw.recordedAt.toISOString(),
  };
}

export function toApiAuditEntry(row: AuditLogRow): z.input<typeof AuditEntry> {
  return {
    globalPosition: row.globalPosition,
    eventId: row.eventId,
    streamId: row.streamId,
    streamPosition: row.streamPosition,
    type: row.eventType,
    outcome: row.outcome,
    actorId: row.actorId,
    actorRole: row.actorRole,
    commandId: row.commandId,
    correlationId: row.correlationId,
    accountId: row.accountId,
    customerId: row.customerId,
    summary: row.summary,
    reason: row.reason,
    changes: row.changes,
    recordedAt: row.recordedAt.toISOString(),
  };
}
