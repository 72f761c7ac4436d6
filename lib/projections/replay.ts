import { asc, gt } from "drizzle-orm";
import type { Database } from "../db/client";
import {
  type AccountSummaryRow,
  type AuditLogRow,
  events,
  type SanctionsEntryRow,
  type StatementEntryRow,
  type TransferViewRow,
} from "../db/schema";
import { sanctionsEventCodec } from "../domain/sanctions/codec";
import { SANCTIONS_STREAM_TYPE } from "../domain/sanctions/sanctions";
import { transferEventCodec } from "../domain/transfer/codec";
import { TRANSFER_STREAM_TYPE } from "../domain/transfer/events";
import { evolveSanctionsEntries, evolveTransferView, sanctionsAuditEntry, transferAuditEntry } from "./transfer-projection";
import { accountEventCodec } from "../domain/account/codec";
import type { AccountEvent } from "../domain/account/events";
import { toRawEvent } from "../event-store/read";
import { decodeEvent } from "../event-store/read";
import { identityEventCodec, SIGNIN_STREAM_TYPE, USER_STREAM_TYPE } from "../domain/identity/events";
import { evolveSummary, statementEntryFor, auditEntryFor } from "./account-projection";
import { identityAuditEntry } from "./identity-projection";
import { OPERATIONS_STREAM_TYPE, operationsEventCodec } from "../domain/operations/events";
import { operationsAuditEntry } from "./operations-projection";

/** Every projection row, computed in memory from the events alone. */
export type ProjectedRows = {
  account_summary: AccountSummaryRow[];
  statement_entries: StatementEntryRow[];
  audit_log: AuditLogRow[];
  transfers_view: TransferViewRow[];
  sanctions_entries: SanctionsEntryRow[];
};

export type ReplayProgress = { events: number; elapsedMs: number };

/**
 * Replays every committed event in global order through the projection functions. Order within a
 * stream is what matters, and a stream's positions are appended under its row lock, so global
 * position order respects it.
 */
export async function replayAllEvents(
  db: Database,
  options: {
    batchSize?: number;
    onProgress?: (progress: ReplayProgress) => void;
    /**
     * Takes the append-only rows (statement entries, audit) batch by batch instead of returning
     * them: a rebuild writes them as it goes, so a million events do not sit in memory at once.
     */
    onAppendOnlyRows?: (rows: Pick<ProjectedRows, "statement_entries" | "audit_log">) => Promise<void>;
  } = {},
): Promise<{ rows: ProjectedRows; events: number }> {
  const batchSize = options.batchSize ?? 5000;
  const started = performance.now();
  const summaries = new Map<string, AccountSummaryRow>();
  let statement: StatementEntryRow[] = [];
  let audit: AuditLogRow[] = [];
  const transfers = new Map<string, TransferViewRow>();
  const sanctions = new Map<string, SanctionsEntryRow>();
  let after = 0n;
  let count = 0;
  for (;;) {
    const batch = await db
      .select()
      .from(events)
      .where(gt(events.globalPosition, after))
      .orderBy(asc(events.globalPosition))
      .limit(batchSize);
    for (const row of batch) {
      const raw = toRawEvent(row);
      if (raw.streamType === "account") {
        const stored = decodeEvent<AccountEvent>(accountEventCodec, raw);
        const accountId = raw.streamId.slice("account-".length);
        const before = summaries.get(accountId);
        const summary = evolveSummary(before, stored);
        if (summary) {
          summaries.set(accountId, summary);
          const entry = statementEntryFor(summary, stored);
          if (entry) statement.push(entry);
          audit.push(auditEntryFor(before, summary, stored));
        }
      } else if (raw.streamType === TRANSFER_STREAM_TYPE) {
        const stored = decodeEvent(transferEventCodec, raw);
        const transferId = raw.streamId.slice("transfer-".length);
        const row = evolveTransferView(transfers.get(transferId), stored);
        if (row) {
          transfers.set(transferId, row);
          audit.push(transferAuditEntry(row, stored));
        }
      } else if (raw.streamType === SANCTIONS_STREAM_TYPE) {
        const stored = decodeEvent(sanctionsEventCodec, raw);
        evolveSanctionsEntries(sanctions, stored);
        audit.push(sanctionsAuditEntry(stored));
      } else if (raw.streamType === OPERATIONS_STREAM_TYPE) {
        audit.push(operationsAuditEntry(decodeEvent(operationsEventCodec, raw)));
      } else if (raw.streamType === USER_STREAM_TYPE || raw.streamType === SIGNIN_STREAM_TYPE) {
        audit.push(identityAuditEntry(decodeEvent(identityEventCodec, raw)));
      }
      after = raw.globalPosition;
    }
    count += batch.length;
    if (options.onAppendOnlyRows) {
      await options.onAppendOnlyRows({ statement_entries: statement, audit_log: audit });
      statement = [];
      audit = [];
    }
    options.onProgress?.({ events: count, elapsedMs: performance.now() - started });
    if (batch.length < batchSize) break;
  }
  return {
    rows: {
      account_summary: [...summaries.values()],
      statement_entries: statement,
      audit_log: audit,
      transfers_view: [...transfers.values()],
      sanctions_entries: [...sanctions.values()],
    },
    events: count,
  };
}
