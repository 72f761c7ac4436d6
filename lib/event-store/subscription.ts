import { sql } from "drizzle-orm";

import { rowsOf, type Database } from "../db/client";
import { readAll, type GlobalCheckpoint } from "./read";
import type { RawEvent } from "./types";

/**
 * A subscriber's side effects for one batch, run inside the transaction that advances its
 * checkpoint: whatever it writes with `tx` commits exactly when the checkpoint moves past the batch.
 * A subscriber whose effects leave the database (a broker) does them here too, before the commit, so
 * a crash repeats the batch (at least once) and never skips it.
 */
export type SubscriptionHandler = (tx: Database, events: readonly RawEvent[]) => Promise<void>;

export type SubscriptionRun = {
  /** False when another instance holds the subscriber (its row is locked): nothing was done. */
  readonly ran: boolean;
  readonly processed: number;
  readonly checkpoint?: GlobalCheckpoint;
};

/**
 * One batch of a durable subscription. The subscriber's row is locked with FOR UPDATE SKIP LOCKED
 * for the length of the transaction: across any number of instances one runs a subscriber at a time
 * (the others skip it at once), and a crash releases the lock with the transaction, which rolls the
 * side effects back with the checkpoint. Events come from `readAll`, in (transaction id, position)
 * order, which never skips a late-committing writer.
 */
export async function runSubscriptionBatch(
  db: Database,
  name: string,
  handler: SubscriptionHandler,
  options: { batch?: number } = {},
): Promise<SubscriptionRun> {
  await ensureSubscriber(db, name);
  return db.transaction(async (tx) => {
    const [row] = rowsOf<{ transaction_id: string; position: string | bigint }>(
      await tx.execute(sql`
        select checkpoint_transaction_id::text as transaction_id, checkpoint_position as position
        from subscriptions where name = ${name} for update skip locked`),
    );
    if (!row) return { ran: false, processed: 0 };
    const from: GlobalCheckpoint = { transactionId: String(row.transaction_id), globalPosition: BigInt(row.position) };
    const page = await readAll(tx, from, options.batch ?? 500);
    if (page.events.length === 0) return { ran: true, processed: 0, checkpoint: from };
    await handler(tx, page.events);
    await tx.execute(sql`
      update subscriptions set checkpoint_transaction_id = ${page.checkpoint.transactionId}::xid8,
        checkpoint_position = ${page.checkpoint.globalPosition}, events_processed = events_processed + ${page.events.length},
        updated_at = now(), last_error = null
      where name = ${name}`);
    return { ran: true, processed: page.events.length, checkpoint: page.checkpoint };
  });
}

/** Runs batches until the subscriber has caught up, another instance holds it, or `maxMs` passed. */
export async function runSubscription(
  db: Database,
  name: string,
  handler: SubscriptionHandler,
  options: { batch?: number; maxMs?: number } = {},
): Promise<{ processed: number; ran: boolean }> {
  const batch = options.batch ?? 500;
  const deadline = Date.now() + (options.maxMs ?? 10_000);
  let processed = 0;
  let ran = false;
  for (;;) {
    const run = await runSubscriptionBatch(db, name, handler, { batch });
    ran ||= run.ran;
    processed += run.processed;
    if (!run.ran || run.processed < batch || Date.now() >= deadline) return { processed, ran };
  }
}

/** Notes a failed batch on the subscriber's row (its checkpoint stays where it was). */
export async function noteSubscriptionError(db: Database, name: string, error: unknown): Promise<void> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  await db.execute(sql`update subscriptions set last_error = ${message} where name = ${name}`);
}

export async function ensureSubscriber(db: Database, name: string): Promise<void> {
  await db.execute(sql`insert into subscriptions (name) values (${name}) on conflict (name) do nothing`);
}

export { type SubscriptionLag, subscriptionLags } from "../observability/subscription-lag";
