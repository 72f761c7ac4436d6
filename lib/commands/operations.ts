import type { Database } from "../db/client";
import { auditLog } from "../db/schema";
import { OPERATIONS_STREAM_ID, OPERATIONS_STREAM_TYPE, operationsEventCodec, type OperationsEvent } from "../domain/operations/events";
import type { CommandMetadata } from "../domain/shared/decider";
import { decodeEvent } from "../event-store/read";
import { recordFacts } from "../event-store/record";
import { operationsAuditEntry } from "../projections/operations-projection";

/** Records that someone verified or rebuilt the read models (after the fact, in its own transaction). */
export async function recordOperation(db: Database, event: OperationsEvent, metadata: CommandMetadata): Promise<void> {
  await db.transaction(async (tx) => {
    const raw = await recordFacts(tx, {
      streamId: OPERATIONS_STREAM_ID,
      streamType: OPERATIONS_STREAM_TYPE,
      events: [operationsEventCodec.encode(event)],
      metadata,
    });
    await tx.insert(auditLog).values(raw.map((row) => operationsAuditEntry(decodeEvent(operationsEventCodec, row))));
  });
}
