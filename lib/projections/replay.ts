import type {
  AccountSummaryRow,
  ApprovalViewRow,
  AuditLogRow,
  InboundPaymentViewRow,
  SanctionsEntryRow,
  StandingOrderRow,
  StatementEntryRow,
  TransferViewRow,
} from "../db/schema";
import { accountEventCodec } from "../domain/account/codec";
import { accountStreams } from "../domain/account/decider";
import { approvalEventCodec } from "../domain/approval/codec";
import { APPROVAL_STREAM_TYPE, approvalStreams } from "../domain/approval/events";
import { inboundPaymentEventCodec } from "../domain/inbound-payment/codec";
import { INBOUND_PAYMENT_STREAM_TYPE, inboundPaymentStreams } from "../domain/inbound-payment/events";
import { identityEventCodec, SIGNIN_STREAM_TYPE, USER_STREAM_TYPE } from "../domain/identity/events";
import { OPERATIONS_STREAM_TYPE, operationsEventCodec } from "../domain/operations/events";
import { orderEventCodec } from "../domain/order/codec";
import { ORDER_STREAM_TYPE, orderStreams } from "../domain/order/events";
import { sanctionsEventCodec } from "../domain/sanctions/codec";
import { SANCTIONS_STREAM_TYPE } from "../domain/sanctions/sanctions";
import { transferEventCodec } from "../domain/transfer/codec";
import { TRANSFER_STREAM_TYPE, transferStreams } from "../domain/transfer/events";
import type { EventCodec } from "../domain/shared/codec";
import { parseJson, toDate } from "../event-store/read";
import type { EventMetadata, RawEvent, StoredEvent } from "../event-store/types";
import { auditEntryFor, evolveSummary, statementEntryFor } from "./account-projection";
import { approvalAuditEntry, evolveApprovalView } from "./approval-projection";
import type { BulkSql } from "./bulk";
import { identityAuditEntry } from "./identity-projection";
import { evolveInboundPaymentView, inboundPaymentAuditEntry } from "./inbound-payment-projection";
import { operationsAuditEntry } from "./operations-projection";
import { evolveOrderRow, orderAuditEntry } from "./order-projection";
import { evolveSanctionsEntries, evolveTransferView, sanctionsAuditEntry, transferAuditEntry } from "./transfer-projection";

/** Every projection row, computed from the events alone. */
export type ProjectedRows = {
  account_summary: AccountSummaryRow[];
  statement_entries: StatementEntryRow[];
  audit_log: AuditLogRow[];
  transfers_view: TransferViewRow[];
  sanctions_entries: SanctionsEntryRow[];
  inbound_payments_view: InboundPaymentViewRow[];
  approvals_view: ApprovalViewRow[];
};

export type ReplayProgress = { events: number; elapsedMs: number; phase?: string };

/** Where a replay puts the rows that are only ever appended (one per event or money movement). */
export type AppendOnlySink = { statement: (row: StatementEntryRow) => void; audit: (row: AuditLogRow) => void };

/**
 * The projections as a fold over events in commit-safe order, through the same functions the
 * inline projections use. Per-entity rows (one per account, transfer, sanctions entry) stay in
 * memory, since any later event may change them; append-only rows go to the sink as they appear.
 */
export class ProjectionReplay {
  readonly summaries = new Map<string, AccountSummaryRow>();
  readonly transfers = new Map<string, TransferViewRow>();
  readonly sanctions = new Map<string, SanctionsEntryRow>();
  readonly orders = new Map<string, StandingOrderRow>();
  readonly inboundPayments = new Map<string, InboundPaymentViewRow>();
  readonly approvals = new Map<string, ApprovalViewRow>();
  /** Keys touched since `trackChanges()`, so a catch-up rewrites only those rows. */
  changed:
    | { summaries: Set<string>; transfers: Set<string>; sanctions: Set<string>; inboundPayments: Set<string>; approvals: Set<string> }
    | undefined;
  events = 0;
  statementRows = 0;
  auditRows = 0;

  constructor(public sink: AppendOnlySink) {}

  trackChanges(): void {
    this.changed = { summaries: new Set(), transfers: new Set(), sanctions: new Set(), inboundPayments: new Set(), approvals: new Set() };
  }

  apply(raw: RawEvent): void {
    this.events++;
    const sink = this.sink;
    switch (raw.streamType) {
      case "account": {
        const stored = decodeTrusted(accountEventCodec, raw);
        const accountId = accountStreams.idOf(raw.streamId);
        const before = this.summaries.get(accountId);
        const summary = evolveSummary(before, stored);
        if (!summary) return;
        this.summaries.set(accountId, summary);
        this.changed?.summaries.add(accountId);
        const entry = statementEntryFor(summary, stored);
        if (entry) {
          sink.statement(entry);
          this.statementRows++;
        }
        sink.audit(auditEntryFor(before, summary, stored));
        break;
      }
      case TRANSFER_STREAM_TYPE: {
        const stored = decodeTrusted(transferEventCodec, raw);
        const transferId = transferStreams.idOf(raw.streamId);
        const row = evolveTransferView(this.transfers.get(transferId), stored);
        if (!row) return;
        this.transfers.set(transferId, row);
        this.changed?.transfers.add(transferId);
        sink.audit(transferAuditEntry(row, stored));
        break;
      }
      case SANCTIONS_STREAM_TYPE: {
        const stored = decodeTrusted(sanctionsEventCodec, raw);
        const change = evolveSanctionsEntries(this.sanctions, stored);
        const key = change.upsert?.entryId ?? change.remove;
        if (key !== undefined) this.changed?.sanctions.add(key);
        sink.audit(sanctionsAuditEntry(stored));
        break;
      }
      case ORDER_STREAM_TYPE: {
        // Only the audit rows: standing_orders and order_payments are kept by the commands and are
        // not among the tables a rebuild swaps (docs/operations.md).
        const stored = decodeTrusted(orderEventCodec, raw);
        const orderId = orderStreams.idOf(raw.streamId);
        const row = evolveOrderRow(this.orders.get(orderId), stored);
        if (!row) return;
        this.orders.set(orderId, row);
        sink.audit(orderAuditEntry(row, stored));
        break;
      }
      case INBOUND_PAYMENT_STREAM_TYPE: {
        const stored = decodeTrusted(inboundPaymentEventCodec, raw);
        const paymentId = inboundPaymentStreams.idOf(raw.streamId);
        const row = evolveInboundPaymentView(this.inboundPayments.get(paymentId), stored);
        if (!row) return;
        this.inboundPayments.set(paymentId, row);
        this.changed?.inboundPayments.add(paymentId);
        sink.audit(inboundPaymentAuditEntry(row, stored));
        break;
      }
      case APPROVAL_STREAM_TYPE: {
        const stored = decodeTrusted(approvalEventCodec, raw);
        const approvalId = approvalStreams.idOf(raw.streamId);
        const row = evolveApprovalView(this.approvals.get(approvalId), stored);
        if (!row) return;
        this.approvals.set(approvalId, row);
        this.changed?.approvals.add(approvalId);
        sink.audit(approvalAuditEntry(row, stored));
        break;
      }
      case OPERATIONS_STREAM_TYPE:
        sink.audit(operationsAuditEntry(decodeTrusted(operationsEventCodec, raw)));
        break;
      case USER_STREAM_TYPE:
      case SIGNIN_STREAM_TYPE:
        sink.audit(identityAuditEntry(decodeTrusted(identityEventCodec, raw)));
        break;
      default:
        return;
    }
    this.auditRows++;
  }
}

// The store validated each event when it was appended; upcasting still applies. One literal, not
// `{ ...raw, event }`, which is V8's slow path on Node 20 (see audit-base.ts).
function decodeTrusted<Event extends { type: string; data: unknown }>(codec: EventCodec<Event>, raw: RawEvent): StoredEvent<Event> {
  const event = codec.decodeTrusted(raw.type, raw.schemaVersion, raw.data);
  return {
    globalPosition: raw.globalPosition,
    transactionId: raw.transactionId,
    streamId: raw.streamId,
    streamType: raw.streamType,
    streamPosition: raw.streamPosition,
    eventId: raw.eventId,
    type: event.type,
    schemaVersion: raw.schemaVersion,
    data: event.data,
    metadata: raw.metadata,
    recordedAt: raw.recordedAt,
    event,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading the log

/** A `pg_snapshot` as text (`xmin:xmax:xip,…`), and its xmin: every older transaction is in it. */
export type Snapshot = { readonly text: string; readonly xmin: string };

export async function currentSnapshot(bulk: BulkSql): Promise<Snapshot> {
  const [row] = await bulk.rows("select pg_current_snapshot()::text, pg_snapshot_xmin(pg_current_snapshot())::text");
  return { text: String(row?.[0]), xmin: String(row?.[1]) };
}

// The metadata's fields one by one: cheaper for Postgres than printing the whole jsonb, and for
// Node than parsing it.
const EVENT_COLUMNS = `global_position, transaction_id::text, stream_id, stream_type, stream_position, event_id,
       event_type, schema_version, data, recorded_at, metadata->>'actorId', metadata->>'actorRole', metadata->>'commandId',
       metadata->>'correlationId', metadata->>'causationId', metadata->>'origin'`;

/**
 * One page of the events committed in `upTo`, in global order, after `position`. Global position
 * order is safe inside a snapshot: a stream's events are appended under its row lock, so positions
 * follow each stream's order, and the snapshot fixes which transactions count.
 */
export async function readPage(bulk: BulkSql, upTo: Snapshot, position: bigint, pageSize: number): Promise<RawEvent[]> {
  const rows = await bulk.rows(
    `select ${EVENT_COLUMNS} from events
      where global_position > $1 and (transaction_id < $2::xid8 or pg_visible_in_snapshot(transaction_id, $3::pg_snapshot))
      order by global_position limit ${Math.trunc(pageSize)}`,
    [position.toString(), upTo.xmin, upTo.text],
  );
  return rows.map(rawEventOf);
}

/**
 * The events committed in `upTo` but not in `after`, in global order: what commands wrote while a
 * rebuild was building. Small, so read whole; the transaction-order index finds them, since every
 * transaction missing from `after` is at least its xmin.
 */
export async function readTail(bulk: BulkSql, after: Snapshot, upTo: Snapshot): Promise<RawEvent[]> {
  const rows = await bulk.rows(
    `select ${EVENT_COLUMNS} from events
      where transaction_id >= $1::xid8 and not pg_visible_in_snapshot(transaction_id, $2::pg_snapshot)
        and pg_visible_in_snapshot(transaction_id, $3::pg_snapshot)
      order by global_position`,
    [after.xmin, after.text, upTo.text],
  );
  return rows.map(rawEventOf);
}

function rawEventOf(row: unknown[]): RawEvent {
  const metadata: EventMetadata = {
    actorId: row[10] as string,
    actorRole: row[11] as EventMetadata["actorRole"],
    commandId: row[12] as string | null,
    correlationId: row[13] as string | null,
    causationId: row[14] as string | null,
    origin: row[15] as string | null,
  };
  return {
    globalPosition: BigInt(row[0] as string),
    transactionId: row[1] as string,
    streamId: row[2] as string,
    streamType: row[3] as string,
    streamPosition: BigInt(row[4] as string),
    eventId: row[5] as string,
    type: row[6] as string,
    schemaVersion: row[7] as number,
    data: parseJson(row[8]) as RawEvent["data"],
    metadata,
    recordedAt: timeOf(row[9]),
  };
}

/**
 * A timestamptz as Postgres prints it with DateStyle ISO (`2024-12-01 00:01:00.48+00`), read by
 * hand: eight times faster than normalising it for Date.parse, at a million per rebuild. Milliseconds,
 * like every other read of the driver. Any other shape goes the general way.
 */
export function timeOf(value: unknown): Date {
  if (typeof value !== "string" || value.length < 22 || value.charCodeAt(10) !== 32 || value.charCodeAt(4) !== 45) return toDate(value);
  let ms = Date.UTC(digits(value, 0, 4), digits(value, 5, 7) - 1, digits(value, 8, 10), digits(value, 11, 13), digits(value, 14, 16), digits(value, 17, 19));
  let at = 19;
  if (value.charCodeAt(at) === 46) {
    let fraction = 0;
    let places = 0;
    for (at++; at < value.length; at++) {
      const code = value.charCodeAt(at);
      if (code < 48 || code > 57) break;
      if (places < 3) {
        fraction = fraction * 10 + code - 48;
        places++;
      }
    }
    for (; places < 3; places++) fraction *= 10;
    ms += fraction;
  }
  const sign = value.charCodeAt(at);
  const rest = value.length - at;
  if ((sign !== 43 && sign !== 45) || (rest !== 3 && rest !== 6)) return toDate(value);
  const offset = digits(value, at + 1, at + 3) * 60 + (rest === 6 ? digits(value, at + 4, at + 6) : 0);
  ms -= (sign === 45 ? -1 : 1) * offset * 60_000;
  return Number.isFinite(ms) ? new Date(ms) : toDate(value);
}

function digits(text: string, from: number, to: number): number {
  let number = 0;
  for (let index = from; index < to; index++) {
    const digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    number = number * 10 + digit;
  }
  return number;
}
