import { createHash } from "node:crypto";
import { and, eq, lt } from "drizzle-orm";
import type { Database } from "../db/client";
import { idempotencyKeys, snapshots } from "../db/schema";
import type { CommandMetadata, Decider } from "../domain/shared/decider";
import { type JsonValue, toJsonValue } from "../domain/shared/json";
import { type CommandProbe, observeCommand } from "../observability/commands";
import { appendToStream } from "./append";
import type { EventCodec } from "./codec";
import { IdempotencyKeyReusedError, isRetryable, sqlState, violatedConstraint } from "./errors";
import { loadAggregate, type SnapshotPolicy } from "./load";
import { decodeEvent, rawFromSqlRow } from "./read";
import { pipelinedTransaction } from "./transaction";
import type { EventMetadata, RawEvent, StoredEvent } from "./types";

/** Everything the handler needs to know about one aggregate type. */
export type AggregateSpec<Command, Event extends { type: string; data: unknown }, State> = {
  readonly streamType: string;
  readonly decider: Decider<Command, Event, State>;
  readonly codec: EventCodec<Event>;
  readonly snapshot: SnapshotPolicy<State>;
  /**
   * Inline projections: run in the command's transaction, so readers see their own writes. They get
   * the state the events were decided on, which saves reading their own "before" row back.
   */
  readonly project?: (tx: Database, events: readonly StoredEvent<Event>[], context: { stateBefore: State }) => Promise<unknown>;
  /** Take the stream row FOR UPDATE before loading, so concurrent writers queue instead of conflicting. */
  readonly lockStream?: boolean;
};

export type CommandOutcome<Event extends { type: string; data: unknown }, State> = {
  readonly streamId: string;
  readonly version: bigint;
  readonly events: readonly StoredEvent<Event>[];
  /** The state after the command; absent when the result was replayed from its idempotency key. */
  readonly state?: State;
  /** True when the idempotency key had been seen: nothing was applied this time. */
  readonly replayed: boolean;
  /** What the inline projection returned (e.g. the read-model row it wrote), when it ran. */
  readonly projected?: unknown;
};

export type HandleOptions<State = unknown> = {
  readonly metadata: CommandMetadata;
  /** With a key, the command has its effect once; a retry gets the first result back. */
  readonly idempotency?: { readonly scope: string; readonly key: string };
  readonly maxAttempts?: number;
  /** Only for importing history (the demo seed). */
  readonly recordedAt?: Date;
  /**
   * Checked against the loaded state before deciding (an ownership check, say): a throw here
   * aborts the command with nothing recorded, and saves the caller a read before the command.
   */
  readonly guard?: (state: State) => void;
};

const IDEMPOTENCY_KEY_CONSTRAINT = "idempotency_keys_scope_key_pk";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs one command in one transaction: load (snapshot + tail), decide, append with the expected
 * version, snapshot when due, project inline, record the idempotency key, commit. A conflict with
 * another writer is retried with jittered backoff, so callers never see one a retry could absorb.
 */
export async function handleCommand<Command extends { type: string; data: unknown }, Event extends { type: string; data: unknown }, State>(
  db: Database,
  spec: AggregateSpec<Command, Event, State>,
  streamId: string,
  command: Command,
  options: HandleOptions<State>,
): Promise<CommandOutcome<Event, State>> {
  return observeCommand(command, { streamId, metadata: options.metadata }, (probe) => runWithRetries(db, spec, streamId, command, options, probe));
}

async function runWithRetries<Command extends { type: string; data: unknown }, Event extends { type: string; data: unknown }, State>(
  db: Database,
  spec: AggregateSpec<Command, Event, State>,
  streamId: string,
  command: Command,
  options: HandleOptions<State>,
  probe: CommandProbe,
): Promise<CommandOutcome<Event, State>> {
  const maxAttempts = options.maxAttempts ?? 12;
  const requestHash = options.idempotency ? hashRequest(streamId, command) : "";
  for (let attempt = 1; ; attempt++) {
    try {
      return await pipelinedTransaction(db, (tx) => runOnce(tx, spec, streamId, command, options, requestHash));
    } catch (error) {
      // Someone holding this key committed first (our insert waited on its row): ours rolled back,
      // answer with theirs.
      if (options.idempotency && sqlState(error) === "23505" && violatedConstraint(error) === IDEMPOTENCY_KEY_CONSTRAINT) {
        const replay = await readReplay<Event, State>(db, spec, options.idempotency, requestHash);
        if (replay) return replay;
        continue; // the first attempt rolled back after all: ours may run now
      }
      if (!isRetryable(error) || attempt >= maxAttempts) throw error;
      probe.retried(error);
      await sleep(Math.random() * Math.min(50, 2 ** attempt));
    }
  }
}

async function runOnce<Command extends { type: string; data: unknown }, Event extends { type: string; data: unknown }, State>(
  tx: Database,
  spec: AggregateSpec<Command, Event, State>,
  streamId: string,
  command: Command,
  options: HandleOptions<State>,
  requestHash: string,
): Promise<CommandOutcome<Event, State>> {
  const loaded = await loadAggregate(tx, {
    streamId,
    decider: spec.decider,
    codec: spec.codec,
    snapshot: spec.snapshot,
    lock: spec.lockStream,
  });
  options.guard?.(loaded.state);
  const decided = spec.decider.decide(command, loaded.state);
  const raw = await appendToStream(tx, {
    streamId,
    streamType: spec.streamType,
    expectedVersion: loaded.version,
    events: decided.map((event) => spec.codec.encode(event)),
    metadata: eventMetadata(options.metadata),
    recordedAt: options.recordedAt,
  });
  const stored = raw.map((row, index) => {
    const event = decided[index] as Event;
    return { ...row, type: event.type, data: event.data, event } as StoredEvent<Event>;
  });
  const state = decided.reduce(spec.decider.evolve, loaded.state);
  const version = loaded.version + BigInt(decided.length);

  // The writes after the append do not depend on each other: they are sent together (postgres.js
  // pipelines them on the transaction's connection), one round trip instead of up to four.
  const writes: Promise<unknown>[] = [];
  const every = BigInt(spec.snapshot.every);
  if (decided.length > 0 && version / every > loaded.version / every) {
    writes.push(
      tx
        .insert(snapshots)
        .values({ streamId, streamPosition: version, stateSchemaVersion: spec.snapshot.schemaVersion, state: toJsonValue(state) })
        .onConflictDoNothing()
        .execute(),
      // Only the newest snapshot is ever read; older ones are dead weight.
      tx.delete(snapshots).where(and(eq(snapshots.streamId, streamId), lt(snapshots.streamPosition, version))).execute(),
    );
  }
  const projecting = spec.project && stored.length > 0 ? spec.project(tx, stored, { stateBefore: loaded.state }) : undefined;
  if (projecting) writes.push(projecting);
  const recording = options.idempotency
    ? tx
        .insert(idempotencyKeys)
        .values({
          scope: options.idempotency.scope,
          key: options.idempotency.key,
          requestHash,
          result: { streamId, version: version.toString(), events: raw.map(rawToJson) } satisfies StoredResult,
        })
        // No ON CONFLICT: a key already recorded fails the transaction, and handleCommand replays
        // the first result.
        .execute()
    : undefined;
  if (recording) writes.push(recording);
  const settled = await Promise.allSettled(writes);
  const failures = settled.flatMap((result) => (result.status === "rejected" ? [result.reason as unknown] : []));
  // After the first failure the others fail with "transaction aborted" (25P02): report the cause.
  if (failures.length > 0) throw failures.find((error) => sqlState(error) !== "25P02") ?? failures[0];
  const projected = projecting ? await projecting : undefined;
  return { streamId, version, events: stored, state, replayed: false, projected };
}

type StoredResult = { streamId: string; version: string; events: JsonValue[] };

async function readReplay<Event extends { type: string; data: unknown }, State>(
  db: Database,
  spec: { codec: EventCodec<Event> },
  idempotency: { scope: string; key: string },
  requestHash: string,
): Promise<CommandOutcome<Event, State> | undefined> {
  const rows = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, idempotency.scope), eq(idempotencyKeys.key, idempotency.key)));
  const row = rows[0];
  if (!row) return undefined;
  if (row.requestHash !== requestHash) throw new IdempotencyKeyReusedError(idempotency.key);
  const result = row.result as StoredResult;
  return {
    streamId: result.streamId,
    version: BigInt(result.version),
    events: result.events.map((json) => decodeEvent(spec.codec, rawFromSqlRow(json as Record<string, unknown>))),
    replayed: true,
  };
}

function rawToJson(raw: RawEvent): JsonValue {
  return toJsonValue({
    global_position: raw.globalPosition,
    transaction_id: raw.transactionId,
    stream_id: raw.streamId,
    stream_type: raw.streamType,
    stream_position: raw.streamPosition,
    event_id: raw.eventId,
    event_type: raw.type,
    schema_version: raw.schemaVersion,
    data: raw.data,
    metadata: raw.metadata,
    recorded_at: raw.recordedAt,
  });
}

/** Same key and same request means a retry; same key and another request is a client bug. */
export function hashRequest(streamId: string, command: { type: string; data: unknown }): string {
  return createHash("sha256")
    .update(JSON.stringify(toJsonValue({ streamId, type: command.type, data: command.data })))
    .digest("hex");
}

export function eventMetadata(metadata: CommandMetadata): EventMetadata {
  return {
    actorId: metadata.actor.id,
    actorRole: metadata.actor.role,
    commandId: metadata.commandId ?? null,
    correlationId: metadata.correlationId ?? metadata.commandId ?? null,
    causationId: metadata.causationId ?? metadata.commandId ?? null,
    origin: metadata.origin ?? null,
  };
}
