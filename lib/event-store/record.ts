import { sql } from "drizzle-orm";

import type { Database } from "../db/client";
import type { CommandMetadata } from "../domain/shared/decider";
import { appendToStream, currentVersion } from "./append";
import { eventMetadata } from "./handle-command";
import { STREAM_LOCK_CLASS } from "./load";
import type { NewEvent, RawEvent } from "./types";

/**
 * Appends facts that need no decision (a registration, a failed sign-in) at the end of a stream:
 * the stream is locked first (its advisory lock, then its row, as commands do: see load.ts), so
 * concurrent recorders queue rather than conflict.
 * Runs in the caller's transaction.
 */
export async function recordFacts(
  tx: Database,
  options: { streamId: string; streamType: string; events: NewEvent[]; metadata: CommandMetadata },
): Promise<RawEvent[]> {
  await lockStream(tx, options.streamId);
  const version = await currentVersion(tx, options.streamId);
  return appendToStream(tx, {
    streamId: options.streamId,
    streamType: options.streamType,
    expectedVersion: version,
    events: options.events,
    metadata: eventMetadata(options.metadata),
  });
}

/** A stream's write lock, as the command path takes it: the advisory lock, then the row. */
export async function lockStream(tx: Database, streamId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${STREAM_LOCK_CLASS}::int, hashtext(${streamId}))`);
  await tx.execute(sql`select 1 from streams where stream_id = ${streamId} for update`);
}
