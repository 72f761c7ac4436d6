import { insertRowsStatement, rowFromDriver, upsertRowStatement } from "../db/rows";
import { auditLog, sanctionsEntries, transfersView, type TransferViewRow } from "../db/schema";
import { statement, type Statement } from "../db/statement";
import type { SanctionsEvent } from "../domain/sanctions/sanctions";
import { transferStreams } from "../domain/transfer/events";
import type { Projection, ProjectionContext } from "../event-store/handle-command";
import type { StoredEvent } from "../event-store/types";
import { notificationWrites, transferNotification } from "./notification-projection";
import {
  evolveSanctionsEntries,
  evolveTransferView,
  RUNNABLE_STATUSES,
  sanctionsAuditEntry,
  transferAuditEntry,
  type TransferStoredEvent,
} from "./transfer-projection";

const transferIdOf = transferStreams.idOf;

/** The transfer's row before the events, read in the same round trip as the load. */
export const prefetchTransferView = (streamId: string) => statement("select * from transfers_view where transfer_id = $1", transferIdOf(streamId));

/**
 * transfers_view and the audit log for a run of one transfer's events, and the work queue kept in
 * step: a transfer a runner can advance has a row; one that ended or waits for review has none.
 * Returns the view row after each event (the API answers with it).
 */
export function projectTransferEvents(events: readonly TransferStoredEvent[], context: ProjectionContext<unknown>): Projection {
  const first = events[0];
  if (!first) return { writes: [] };
  const transferId = transferIdOf(first.streamId);
  const prefetched = context.prefetched?.[0];
  let row: TransferViewRow | undefined = first.streamPosition === 1n || !prefetched ? undefined : rowFromDriver(transfersView, prefetched);
  const audit = [];
  const after: (TransferViewRow | undefined)[] = [];
  for (const event of events) {
    row = evolveTransferView(row, event);
    after.push(row);
    if (row) audit.push(transferAuditEntry(row, event));
  }
  if (!row) return { writes: [], rows: after };
  // A released transfer comes back to the queue; a running one keeps its lease.
  const work = RUNNABLE_STATUSES.has(row.status)
    ? statement("insert into transfer_work (transfer_id) values ($1) on conflict do nothing", transferId)
    : statement("delete from transfer_work where transfer_id = $1", transferId);
  const told = events.map((event, index) => {
    const view = after[index];
    return view ? transferNotification(view, event) : undefined;
  });
  return { writes: [upsertRowStatement(transfersView, row), insertRowsStatement(auditLog, audit), work, ...notificationWrites(told)], rows: after };
}

export function projectSanctionsEvents(events: readonly StoredEvent<SanctionsEvent>[]): Projection {
  const scratch = new Map();
  const writes: Statement[] = [];
  for (const event of events) {
    const change = evolveSanctionsEntries(scratch, event);
    if (change.upsert) {
      const insert = insertRowsStatement(sanctionsEntries, [change.upsert]);
      writes.push(statement(`${insert.text} on conflict do nothing`, ...insert.params));
    }
    if (change.remove) writes.push(statement("delete from sanctions_entries where entry_id = $1", change.remove));
  }
  writes.push(insertRowsStatement(auditLog, events.map(sanctionsAuditEntry)));
  return { writes };
}
