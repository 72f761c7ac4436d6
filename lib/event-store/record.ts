import { sql } from "drizzle-orm";
import type { Database } from "../db/client";
import type { CommandMetadata } from "../domain/shared/decider";
import { appendToStream, currentVersion } from "./append";
import { eventMetadata } from "./handle-command";
import type { NewEvent, RawEvent } from "./types";

/**
 * Appends facts that need no decision (a registration, a failed sign-in) at the end of a stream:
 * the stream row is locked first, so concurrent recorders queue rather than conflict.
 * Runs in the caller's transaction.
 */
export async function recordFacts(
  tx: Database,
  options: { streamId: string; streamType: string; events: NewEvent[]; metadata: CommandMetadata },
): Promise<RawEvent[]> {
  await tx.execute(sql`select 1 from streams where stream_id = ${options.streamId} for update`);
  const version = await currentVersion(tx, options.streamId);
  return appendToStream(tx, {
    streamId: options.streamId,
    streamType: options.streamType,
    expectedVersion: version,
    events: options.events,
    metadata: eventMetadata(options.metadata),
  });
}
