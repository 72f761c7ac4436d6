import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { auditLog, sanctionsEntries, transfersView, transferWork } from "../db/schema";
import type { SanctionsEvent } from "../domain/sanctions/sanctions";
import type { StoredEvent } from "../event-store/types";
import {
  evolveSanctionsEntries,
  evolveTransferView,
  RUNNABLE_STATUSES,
  sanctionsAuditEntry,
  transferAuditEntry,
  type TransferStoredEvent,
} from "./transfer-projection";

/**
 * Refreshes transfers_view and the audit log in the step's transaction, and keeps the work queue in
 * step: a transfer a runner can advance has a row; one that ended or waits for review has none.
 */
export async function projectTransferEvents(tx: Database, events: readonly TransferStoredEvent[]): Promise<void> {
  const first = events[0];
  if (!first) return;
  const transferId = first.streamId.slice("transfer-".length);
  let row =
    first.streamPosition === 1n ? undefined : (await tx.select().from(transfersView).where(eq(transfersView.transferId, transferId)))[0];
  const audit = [];
  for (const event of events) {
    row = evolveTransferView(row, event);
    if (row) audit.push(transferAuditEntry(row, event));
  }
  if (!row) return;
  const { transferId: _key, ...changes } = row;
  await tx.insert(transfersView).values(row).onConflictDoUpdate({ target: transfersView.transferId, set: changes });
  if (audit.length > 0) await tx.insert(auditLog).values(audit);
  if (RUNNABLE_STATUSES.has(row.status)) {
    // A released transfer comes back to the queue; a running one keeps its lease.
    await tx.insert(transferWork).values({ transferId }).onConflictDoNothing();
  } else {
    await tx.delete(transferWork).where(eq(transferWork.transferId, transferId));
  }
}

export async function projectSanctionsEvents(tx: Database, events: readonly StoredEvent<SanctionsEvent>[]): Promise<void> {
  const scratch = new Map();
  for (const event of events) {
    const change = evolveSanctionsEntries(scratch, event);
    if (change.upsert) await tx.insert(sanctionsEntries).values(change.upsert).onConflictDoNothing();
    if (change.remove) await tx.delete(sanctionsEntries).where(eq(sanctionsEntries.entryId, change.remove));
  }
  await tx.insert(auditLog).values(events.map(sanctionsAuditEntry));
}

