import { getTableName } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

import {
  accountSummary,
  approvalsView,
  auditLog,
  inboundPaymentsView,
  notifications,
  orderPayments,
  sanctionsEntries,
  standingOrders,
  statementEntries,
  transfersView,
  transferWork,
  type AuditLogRow,
} from "../db/schema";
import type { AnyStatement } from "../db/statement";
import { accountEventCodec } from "../domain/account/codec";
import { ACCOUNT_STREAM_TYPE, accountStreams } from "../domain/account/decider";
import { approvalEventCodec } from "../domain/approval/codec";
import { APPROVAL_STREAM_TYPE, approvalStreams } from "../domain/approval/events";
import { identityEventCodec, SIGNIN_STREAM_TYPE, USER_STREAM_TYPE } from "../domain/identity/events";
import { inboundPaymentEventCodec } from "../domain/inbound-payment/codec";
import { INBOUND_PAYMENT_STREAM_TYPE, inboundPaymentStreams } from "../domain/inbound-payment/events";
import { OPERATIONS_STREAM_TYPE, operationsEventCodec } from "../domain/operations/events";
import { orderEventCodec } from "../domain/order/codec";
import { ORDER_STREAM_TYPE, orderStreams } from "../domain/order/events";
import { sanctionsEventCodec } from "../domain/sanctions/codec";
import { SANCTIONS_STREAM_TYPE } from "../domain/sanctions/sanctions";
import type { EventCodec } from "../domain/shared/codec";
import { transferEventCodec } from "../domain/transfer/codec";
import { TRANSFER_STREAM_TYPE, transferStreams } from "../domain/transfer/events";
import type { Projection } from "../event-store/handle-command";
import type { RawEvent, StoredEvent } from "../event-store/types";
import { projectAccountEvents } from "./account-inline";
import { auditEntryFor, evolveSummary, statementEntryFor } from "./account-projection";
import { approvalInline } from "./approval-inline";
import { approvalAuditEntry, evolveApprovalView } from "./approval-projection";
import { decodeTrusted } from "./decode";
import { identityAuditEntry } from "./identity-projection";
import { inboundPaymentInline } from "./inbound-payment-inline";
import { evolveInboundPaymentView, inboundPaymentAuditEntry } from "./inbound-payment-projection";
import { operationsAuditEntry } from "./operations-projection";
import { prefetchOrderRow, projectOrderEvents } from "./order-inline";
import { evolveOrderRow, orderAuditEntry } from "./order-projection";
import { prefetchTransferView, projectSanctionsEvents, projectTransferEvents } from "./transfer-inline";
import { evolveSanctionsEntries, evolveTransferView, sanctionsAuditEntry, transferAuditEntry } from "./transfer-projection";

/**
 * Every projection, in one place: what it owns, what it reads, how it is kept and whether a rebuild
 * replaces it. The command handler's inline writers, the replay, rebuild and verify and the back
 * office's projections page all read this list (decision 0038).
 */

/** A table a projection owns. */
export type ProjectionTable = {
  readonly table: PgTable;
  /** What the back office says it holds. */
  readonly description: string;
  /** The column with the last global position its rows applied; null when it keeps none. */
  readonly positionColumn: string | null;
  /**
   * "entity": one row per entity, rewritten by any later event (a replay keeps them in memory);
   * "append": one row per event or money movement, only ever added (a replay streams them out).
   */
  readonly rows: "entity" | "append";
};

/** Where a replay puts what it folds: per-entity rows in memory, append-only rows out as they come. */
export interface ReplayInto {
  /** The rows of a per-entity table replayed so far, by the entity's id. */
  entities<Table extends PgTable>(table: Table): Map<string, Table["$inferSelect"]>;
  /** Notes that an entity's row changed, so a rebuild's catch-up rewrites only those. */
  touched(table: PgTable, key: string): void;
  append<Table extends PgTable>(table: Table, row: Table["$inferSelect"]): void;
}

/** What the command handler runs with the append, in the command's transaction (see AggregateSpec). */
export type InlineWriter = {
  // `never` arguments: any writer's own event and state types fit here.
  readonly project: (events: never, context: never) => Projection | Promise<Projection>;
  readonly prefetch?: (streamId: string) => AnyStatement;
};

export type ProjectionDefinition = {
  readonly name: string;
  readonly tables: readonly ProjectionTable[];
  /** The stream types whose events it is made of. */
  readonly streamTypes: readonly string[];
  /** inline: written in the command's transaction; async: behind the log, by a subscriber. */
  readonly refresh: "inline" | "async";
  /** Whether a rebuild replaces its tables from the events (verify compares them). */
  readonly rebuilt: boolean;
  /**
   * The writer of the stream types it names (each stream type has one). One pass over an event
   * writes this projection's rows and the stream's share of shared tables (`alsoWrites`: the audit
   * log, notifications), since those are made from the row it has just computed.
   */
  readonly writes?: {
    readonly streamTypes: readonly string[];
    readonly alsoWrites: readonly PgTable[];
    /** Folds one event into a replay (rebuild and verify). */
    readonly apply: (raw: RawEvent, into: ReplayInto) => void;
    /** The handler's inline writer; absent where the events' own transaction writes (see the entry). */
    readonly inline?: InlineWriter;
  };
};

// Generic in the table, so the registry's type knows each table's name (see RebuiltTableName).
const entity = <Table extends PgTable>(table: Table, description: string, positionColumn: string | null = "last_global_position") =>
  ({ table, description, positionColumn, rows: "entity" }) as const;
const append = <Table extends PgTable>(table: Table, description: string, positionColumn: string | null = "global_position") =>
  ({ table, description, positionColumn, rows: "append" }) as const;

/** A replay's fold for a view of one row per stream, with an audit row per event it applies. */
function replayView<Table extends PgTable, Event extends { type: string; data: unknown }>(view: {
  readonly codec: EventCodec<Event>;
  readonly table: Table;
  readonly idOf: (streamId: string) => string;
  readonly evolve: (row: Table["$inferSelect"] | undefined, event: StoredEvent<Event>) => Table["$inferSelect"] | undefined;
  readonly audit: (after: Table["$inferSelect"], event: StoredEvent<Event>) => AuditLogRow;
}): (raw: RawEvent, into: ReplayInto) => void {
  return (raw, into) => {
    const stored = decodeTrusted(view.codec, raw);
    const rows = into.entities(view.table);
    const id = view.idOf(raw.streamId);
    const row = view.evolve(rows.get(id), stored);
    if (!row) return;
    rows.set(id, row);
    into.touched(view.table, id);
    into.append(auditLog, view.audit(row, stored));
  };
}

export const PROJECTIONS = [
  {
    name: "accounts",
    tables: [
      entity(accountSummary, "One row per account: balances, status, counters."),
      append(statementEntries, "Money movements and refused attempts, with running balance."),
    ],
    streamTypes: [ACCOUNT_STREAM_TYPE],
    refresh: "inline",
    rebuilt: true,
    writes: {
      streamTypes: [ACCOUNT_STREAM_TYPE],
      alsoWrites: [auditLog, notifications],
      apply(raw, into) {
        const stored = decodeTrusted(accountEventCodec, raw);
        const summaries = into.entities(accountSummary);
        const accountId = accountStreams.idOf(raw.streamId);
        const before = summaries.get(accountId);
        const summary = evolveSummary(before, stored);
        if (!summary) return;
        summaries.set(accountId, summary);
        into.touched(accountSummary, accountId);
        const entry = statementEntryFor(summary, stored);
        if (entry) into.append(statementEntries, entry);
        into.append(auditLog, auditEntryFor(before, summary, stored));
      },
      inline: { project: projectAccountEvents },
    },
  },
  {
    name: "audit",
    tables: [append(auditLog, "One row per event: actor, outcome, reason, changes.")],
    streamTypes: [
      ACCOUNT_STREAM_TYPE,
      TRANSFER_STREAM_TYPE,
      SANCTIONS_STREAM_TYPE,
      ORDER_STREAM_TYPE,
      INBOUND_PAYMENT_STREAM_TYPE,
      APPROVAL_STREAM_TYPE,
      OPERATIONS_STREAM_TYPE,
      USER_STREAM_TYPE,
      SIGNIN_STREAM_TYPE,
    ],
    refresh: "inline",
    rebuilt: true,
    // The other streams' audit rows come from their own writer. These streams have no other read
    // model here, and are not recorded through the handler: the transaction that records them
    // writes the audit rows (lib/commands/operations.ts, lib/auth/users.ts).
    writes: {
      streamTypes: [OPERATIONS_STREAM_TYPE, USER_STREAM_TYPE, SIGNIN_STREAM_TYPE],
      alsoWrites: [],
      apply(raw, into) {
        into.append(
          auditLog,
          raw.streamType === OPERATIONS_STREAM_TYPE
            ? operationsAuditEntry(decodeTrusted(operationsEventCodec, raw))
            : identityAuditEntry(decodeTrusted(identityEventCodec, raw)),
        );
      },
    },
  },
  {
    name: "transfers",
    tables: [entity(transfersView, "Where each transfer stands, with its steps.")],
    streamTypes: [TRANSFER_STREAM_TYPE],
    refresh: "inline",
    rebuilt: true,
    writes: {
      streamTypes: [TRANSFER_STREAM_TYPE],
      // transfer_work is the runners' queue (operational): kept in step inline, never rebuilt.
      alsoWrites: [auditLog, transferWork, notifications],
      apply: replayView({
        codec: transferEventCodec,
        table: transfersView,
        idOf: transferStreams.idOf,
        evolve: evolveTransferView,
        audit: transferAuditEntry,
      }),
      inline: { project: projectTransferEvents, prefetch: prefetchTransferView },
    },
  },
  {
    name: "sanctions",
    tables: [entity(sanctionsEntries, "The sanctions list as it stands (keeps no position).", null)],
    streamTypes: [SANCTIONS_STREAM_TYPE],
    refresh: "inline",
    rebuilt: true,
    writes: {
      streamTypes: [SANCTIONS_STREAM_TYPE],
      alsoWrites: [auditLog],
      apply(raw, into) {
        const stored = decodeTrusted(sanctionsEventCodec, raw);
        const change = evolveSanctionsEntries(into.entities(sanctionsEntries), stored);
        const key = change.upsert?.entryId ?? change.remove;
        if (key !== undefined) into.touched(sanctionsEntries, key);
        into.append(auditLog, sanctionsAuditEntry(stored));
      },
      inline: { project: projectSanctionsEvents },
    },
  },
  {
    name: "inbound-payments",
    tables: [entity(inboundPaymentsView, "Where each payment received from a scheme stands.")],
    streamTypes: [INBOUND_PAYMENT_STREAM_TYPE],
    refresh: "inline",
    rebuilt: true,
    writes: {
      streamTypes: [INBOUND_PAYMENT_STREAM_TYPE],
      alsoWrites: [auditLog],
      apply: replayView({
        codec: inboundPaymentEventCodec,
        table: inboundPaymentsView,
        idOf: inboundPaymentStreams.idOf,
        evolve: evolveInboundPaymentView,
        audit: inboundPaymentAuditEntry,
      }),
      inline: inboundPaymentInline,
    },
  },
  {
    name: "approvals",
    tables: [entity(approvalsView, "Four-eyes approvals: pending, granted or declined.")],
    streamTypes: [APPROVAL_STREAM_TYPE],
    refresh: "inline",
    rebuilt: true,
    writes: {
      streamTypes: [APPROVAL_STREAM_TYPE],
      alsoWrites: [auditLog],
      apply: replayView({
        codec: approvalEventCodec,
        table: approvalsView,
        idOf: approvalStreams.idOf,
        evolve: evolveApprovalView,
        audit: approvalAuditEntry,
      }),
      inline: approvalInline,
    },
  },
  {
    name: "orders",
    tables: [
      entity(standingOrders, "Scheduled and standing orders; the due-order runner claims from it.", null),
      append(orderPayments, "Each due date an order reached: its transfer, or why it failed.", null),
    ],
    streamTypes: [ORDER_STREAM_TYPE],
    refresh: "inline",
    // The due-order runner's claims live in these rows, so a rebuild leaves them to the commands.
    rebuilt: false,
    writes: {
      streamTypes: [ORDER_STREAM_TYPE],
      alsoWrites: [auditLog, notifications],
      // A replay only needs the order's row for the audit rows; it is not loaded anywhere.
      apply(raw, into) {
        const stored = decodeTrusted(orderEventCodec, raw);
        const orders = into.entities(standingOrders);
        const orderId = orderStreams.idOf(raw.streamId);
        const row = evolveOrderRow(orders.get(orderId), stored);
        if (!row) return;
        orders.set(orderId, row);
        into.append(auditLog, orderAuditEntry(row, stored));
      },
      inline: { project: projectOrderEvents, prefetch: prefetchOrderRow },
    },
  },
  {
    name: "notifications",
    tables: [append(notifications, "The customer's inbox: one row per fact that matters to them.")],
    streamTypes: [ACCOUNT_STREAM_TYPE, TRANSFER_STREAM_TYPE, ORDER_STREAM_TYPE, USER_STREAM_TYPE],
    refresh: "inline",
    // read_at is the customer's own state, not derived from events (decision 0030). Written by the
    // accounts', transfers' and orders' writers, and for user events by lib/auth/users.ts.
    rebuilt: false,
  },
] as const satisfies readonly ProjectionDefinition[];

export type Registered = (typeof PROJECTIONS)[number];

export const tableName = (table: PgTable): string => getTableName(table);

/** The projections a rebuild replaces, in the registry's order. */
export const rebuiltProjections = (): readonly ProjectionDefinition[] => PROJECTIONS.filter((projection) => projection.rebuilt);

/** The tables a rebuild replaces (and verify compares), in the registry's order. */
export const rebuiltTables = (): readonly ProjectionTable[] => rebuiltProjections().flatMap((projection) => projection.tables);

/** The names of the tables a rebuild replaces, as a type. */
export type RebuiltTableName = Extract<Registered, { rebuilt: true }>["tables"][number]["table"]["_"]["name"];

type Writer = NonNullable<ProjectionDefinition["writes"]>;

/** Which writer folds each stream type's events. */
export const writersByStreamType: ReadonlyMap<string, Writer> = new Map(
  (PROJECTIONS as readonly ProjectionDefinition[]).flatMap(({ writes }) =>
    writes ? writes.streamTypes.map((type): [string, Writer] => [type, writes]) : [],
  ),
);

type InlineOf<StreamType extends string> = Registered extends infer Entry
  ? Entry extends { writes: { streamTypes: readonly (infer Led)[]; inline: infer Writer } }
    ? StreamType extends Led
      ? Writer
      : never
    : never
  : never;

/** The stream types whose commands go through the handler with an inline writer. */
export type InlineStreamType = Registered extends infer Entry
  ? Entry extends { writes: { streamTypes: readonly (infer Led)[]; inline: unknown } }
    ? Led
    : never
  : never;

/**
 * The inline writer for a stream type's commands, for its aggregate spec (the commands layer hands
 * it to the handler: the event store does not know the projections).
 */
export function inlineProjection<StreamType extends InlineStreamType>(streamType: StreamType): InlineOf<StreamType> {
  const inline = writersByStreamType.get(streamType)?.inline;
  if (!inline) throw new Error(`No inline projection for ${streamType} streams`);
  return inline as InlineOf<StreamType>;
}
