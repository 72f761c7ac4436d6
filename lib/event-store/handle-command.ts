import { createHash } from "node:crypto";

import { and, eq } from "drizzle-orm";

import type { Database } from "../db/client";
import { combineWrites, insertRowsStatement } from "../db/rows";
import { idempotencyKeys } from "../db/schema";
import { isStatement, statement, type AnyStatement, type Statement } from "../db/statement";
import { isTransaction, runTransaction, type TxSession } from "../db/transaction";
import type { EventCodec } from "../domain/shared/codec";
import type { CommandMetadata, Decider } from "../domain/shared/decider";
import { toJsonValue, type JsonValue } from "../domain/shared/json";
import { planAppend, rawToJson, readStamp, stampAndKeysStatement, stampStatement } from "./append";
import { CallerRefusedError, IdempotencyKeyReusedError, isRetryable, sqlState, violatedConstraint } from "./errors";
import { loadAggregate, type SnapshotPolicy } from "./load";
import { observeCommand, type CommandProbe } from "./observe";
import { decodeEvent, parseJson, rawFromSqlRow } from "./read";
import type { EventMetadata, StoredEvent } from "./types";

/** What an inline projection hands back: the writes to send with the append, and the rows it wrote. */
export type Projection = {
  readonly writes: readonly AnyStatement[];
  /** The read-model row after each event (aligned with the events), for answers built from it. */
  readonly rows?: readonly unknown[];
};

export type ProjectionContext<State> = {
  /** The state the first event was decided on, which is what the read model held before it. */
  readonly stateBefore: State;
  /** When the stream was created (undefined when these events create it). */
  readonly streamCreatedAt: Date | undefined;
  /** What the spec's `prefetch` statement returned, read in the same round trip as the load. */
  readonly prefetched: readonly Record<string, unknown>[] | undefined;
  /** Runs a statement in the command's transaction (a round trip of its own). */
  readonly tx: TxSession;
};

/** Everything the handler needs to know about one aggregate type. */
export type AggregateSpec<Command, Event extends { type: string; data: unknown }, State> = {
  readonly streamType: string;
  readonly decider: Decider<Command, Event, State>;
  readonly codec: EventCodec<Event>;
  readonly snapshot: SnapshotPolicy<State>;
  /**
   * Inline projections: their writes go out with the append, in the command's transaction, so
   * readers see their own writes.
   */
  readonly project?: (events: readonly StoredEvent<Event>[], context: ProjectionContext<State>) => Projection | Promise<Projection>;
  /** A read the projection needs (its row before the events), sent together with the load. */
  readonly prefetch?: (streamId: string) => AnyStatement;
  /** Take the stream row FOR UPDATE before loading, so concurrent writers queue instead of conflicting. */
  readonly lockStream?: boolean;
};

/** An answer stored with an idempotency key and given back, byte for byte, to every retry. */
export type StoredReply = { readonly status: number; readonly body: string };

export type CommandOutcome<Event extends { type: string; data: unknown }, State> = {
  readonly streamId: string;
  readonly version: bigint;
  readonly events: readonly StoredEvent<Event>[];
  /** The state after the command; absent when the result was replayed from its idempotency key. */
  readonly state?: State;
  /** True when the idempotency key had been seen: nothing was applied this time. */
  readonly replayed: boolean;
  /** The read-model row the inline projection wrote after this command's last event. */
  readonly projected?: unknown;
  /** The answer stored with the idempotency key, when the caller asked for one to be kept. */
  readonly reply?: StoredReply;
};

export type HandleOptions<Event extends { type: string; data: unknown } = { type: string; data: unknown }, State = unknown> = {
  readonly metadata: CommandMetadata;
  /**
   * With a key, the command has its effect once; a retry gets the first result back. `requestHash`
   * says what "the same request" means (default: the stream and the command's data).
   */
  readonly idempotency?: { readonly scope: string; readonly key: string; readonly requestHash?: string };
  /** Builds the answer to keep with the key, inside the transaction (so a retry gets it back). */
  readonly reply?: (outcome: CommandOutcome<Event, State>) => StoredReply;
  readonly maxAttempts?: number;
  /** Only for importing history (the demo seed). */
  readonly recordedAt?: Date;
  /**
   * Checked against the loaded state before deciding (an ownership check, say): a throw here
   * aborts the command with nothing recorded, and saves the caller a read before the command.
   * `actor` is the metadata's, or the one `caller` admitted.
   */
  readonly guard?: (state: State, actor: CommandMetadata["actor"]) => void;
  /**
   * Who is calling, read in the load's round trip instead of a round trip before the command (the
   * API's bearer token). The actor it admits replaces the metadata's, and the idempotency key's
   * scope is that actor's id.
   */
  readonly caller?: DeferredCaller;
};

/** A caller known only from a read in the command's first round trip. */
export type DeferredCaller = {
  /** At most one row, with the caller's id as `actor_id`; sent after the locked load. */
  readonly read: Statement;
  /**
   * The actor behind the row (undefined: no such caller), or a throw (nothing is recorded, the
   * command rejects with it); with writes to send with the command's (a last-use time, say).
   */
  readonly admit: (row: Record<string, unknown> | undefined) => { readonly actor: CommandMetadata["actor"]; readonly writes?: readonly Statement[] };
};

const IDEMPOTENCY_KEY_CONSTRAINT = "idempotency_keys_scope_key_pk";
/** Most commands one transaction carries for one hot stream. */
const MAX_BATCH = 64;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Pending<Command, Event extends { type: string; data: unknown }, State> = {
  readonly command: Command;
  readonly options: HandleOptions<Event, State>;
  readonly requestHash: string;
  readonly probe: CommandProbe;
  readonly resolve: (outcome: CommandOutcome<Event, State>) => void;
  readonly reject: (error: unknown) => void;
};

/**
 * Runs one command in one transaction: load (snapshot + tail), decide, then append, snapshot when
 * due, project inline and record the idempotency key with the answer, sent together with COMMIT.
 * A conflict with another writer is retried with jittered backoff, so callers never see one a
 * retry could absorb.
 *
 * Commands for a stream that is already busy in this process wait and then run together, decided
 * one after the other on the evolving state, in one transaction (each with its own events, answer
 * and idempotency record). That is only a saving in round trips and commits on a hot stream:
 * correctness across processes comes from the stream lock and the events' primary key.
 */
export async function handleCommand<Command extends { type: string; data: unknown }, Event extends { type: string; data: unknown }, State>(
  db: Database,
  spec: AggregateSpec<Command, Event, State>,
  streamId: string,
  command: Command,
  options: HandleOptions<Event, State>,
): Promise<CommandOutcome<Event, State>> {
  return observeCommand(command, { streamId, metadata: options.metadata }, (probe) => {
    const requestHash = options.idempotency ? (options.idempotency.requestHash ?? hashRequest(streamId, command)) : "";
    return new Promise<CommandOutcome<Event, State>>((resolve, reject) => {
      const pending: Pending<Command, Event, State> = { command, options, requestHash, probe, resolve, reject };
      // A caller's own transaction, or history import with its own clock: run as they are.
      if (isTransaction(db) || options.recordedAt) {
        void runBatch(db, spec, streamId, [pending]);
        return;
      }
      enqueue(db, spec, streamId, pending);
    });
  });
}

/**
 * Per database, per stream: the commands waiting for the one in flight to finish. On globalThis:
 * Next loads this module once per route bundle, and a hot account's commands come by every route.
 */
const queues = ((globalThis as { __ledgerlineStreamQueues?: WeakMap<Database, Map<string, unknown[]>> }).__ledgerlineStreamQueues ??= new WeakMap());

function enqueue<Command extends { type: string; data: unknown }, Event extends { type: string; data: unknown }, State>(
  db: Database,
  spec: AggregateSpec<Command, Event, State>,
  streamId: string,
  pending: Pending<Command, Event, State>,
): void {
  let byStream = queues.get(db);
  if (!byStream) queues.set(db, (byStream = new Map()));
  const waiting = byStream.get(streamId) as Pending<Command, Event, State>[] | undefined;
  if (waiting) {
    waiting.push(pending);
    return;
  }
  const queue: Pending<Command, Event, State>[] = [];
  byStream.set(streamId, queue);
  void (async () => {
    try {
      let batch = [pending];
      while (batch.length > 0) {
        await runBatch(db, spec, streamId, batch);
        batch = queue.splice(0, MAX_BATCH);
      }
    } finally {
      byStream.delete(streamId);
    }
  })();
}

/** Runs a batch to the end: every request is resolved or rejected when this returns. */
async function runBatch<Command extends { type: string; data: unknown }, Event extends { type: string; data: unknown }, State>(
  db: Database,
  spec: AggregateSpec<Command, Event, State>,
  streamId: string,
  batch: Pending<Command, Event, State>[],
): Promise<void> {
  const maxAttempts = batch[0]?.options.maxAttempts ?? 12;
  for (let attempt = 1; ; attempt++) {
    try {
      const settled = await runTransaction(db, (tx) => decideAndWrite(tx, spec, streamId, batch));
      settled.forEach((settle) => settle());
      return;
    } catch (error) {
      if (batch.length > 1 && !isRetryable(error)) {
        // Something one of them did failed the transaction (a key a concurrent request just
        // recorded, say): run them one by one, so each gets its own answer.
        for (const pending of batch) await runBatch(db, spec, streamId, [pending]);
        return;
      }
      const only = batch[0] as Pending<Command, Event, State>;
      if (only.options.idempotency && isKeyConflict(error)) {
        // Someone holding this key committed first (our insert waited on its row): ours rolled
        // back; answer with theirs, or try again if theirs rolled back after all.
        try {
          const replay = await readReplay(db, spec, only);
          if (replay) return only.resolve(replay);
        } catch (replayError) {
          return only.reject(replayError);
        }
        continue;
      }
      if (!isRetryable(error) || attempt >= maxAttempts) {
        for (const pending of batch) pending.reject(error);
        return;
      }
      for (const pending of batch) pending.probe.retried(error);
      await sleep(Math.random() * Math.min(50, 2 ** attempt));
    }
  }
}

const isKeyConflict = (error: unknown) => sqlState(error) === "23505" && violatedConstraint(error) === IDEMPOTENCY_KEY_CONSTRAINT;

type KeyRow = { scope: string; key: string; request_hash: string; result: unknown; response_status: number | null; response_body: string | null };

/**
 * One attempt at a batch inside its transaction. Returns how to settle each request once the
 * transaction has committed (nothing is settled before: a rollback retries the whole batch).
 */
async function decideAndWrite<Command extends { type: string; data: unknown }, Event extends { type: string; data: unknown }, State>(
  tx: TxSession,
  spec: AggregateSpec<Command, Event, State>,
  streamId: string,
  batch: Pending<Command, Event, State>[],
): Promise<{ result: (() => void)[]; writes: AnyStatement[] }> {
  // One round trip (BEGIN went out just before): the transaction's stamp and global positions, the
  // locked stream with its snapshot and tail, the idempotency records of the batch's keys (read
  // after the lock, so a retry that waited for its first attempt sees what it recorded), and the
  // projection's own read.
  const loading = loadAggregate(tx, { streamId, decider: spec.decider, codec: spec.codec, snapshot: spec.snapshot, lock: spec.lockStream });
  const keyed = batch.filter((pending) => pending.options.idempotency && !pending.options.caller);
  const stamping = tx.query(stampAndKeysStatement(batch.length, keysJson(keyed)));
  const prefetching = spec.prefetch ? tx.query(spec.prefetch(streamId)) : Promise.resolve(undefined);
  // Each deferred caller's row with its key's record under the caller's scope, also after the lock.
  const calling = Promise.all(
    batch.map((pending) =>
      pending.options.caller ? tx.query(callerStatement(pending.options.caller.read, pending.options.idempotency?.key ?? null)) : undefined,
    ),
  );
  const [stampRows, loaded, prefetched, callerRows] = await Promise.all([stamping, loading, prefetching, calling]);
  let stamp = readStamp(stampRows[0]);
  const keyRows = parseJson(stampRows[0]?.keys) as KeyRow[];
  const recorded = new Map(keyRows.map((row) => [`${row.scope}\u0000${row.key}`, row]));

  type Applied = {
    pending: Pending<Command, Event, State>;
    idempotency: HandleOptions["idempotency"];
    first: number;
    count: number;
    state: State;
    version: bigint;
  };
  const settle: (() => void)[] = [];
  const applied: Applied[] = [];
  const decided: { event: Event; metadata: EventMetadata }[] = [];
  const seenInBatch = new Map<string, Applied>();
  let state = loaded.state;
  let version = loaded.version;

  const callerWrites: Statement[] = [];
  for (const [index, pending] of batch.entries()) {
    const { guard, caller } = pending.options;
    let { idempotency, metadata } = pending.options;
    let callerKeyRow: KeyRow | undefined;
    if (caller) {
      const row = callerRows[index]?.[0];
      let admitted: ReturnType<DeferredCaller["admit"]>;
      try {
        admitted = caller.admit(row);
      } catch (error) {
        settle.push(() => pending.reject(new CallerRefusedError(error)));
        continue;
      }
      metadata = { ...metadata, actor: admitted.actor };
      if (idempotency) idempotency = { ...idempotency, scope: admitted.actor.id };
      callerWrites.push(...(admitted.writes ?? []));
      callerKeyRow = (parseJson(row?.key_record) as KeyRow | null) ?? undefined;
    }
    const keyId = idempotency ? `${idempotency.scope}\u0000${idempotency.key}` : undefined;
    if (keyId) {
      const row = caller ? callerKeyRow : recorded.get(keyId);
      if (row) {
        if (row.request_hash !== pending.requestHash) settle.push(() => pending.reject(new IdempotencyKeyReusedError(idempotency?.key ?? "")));
        else {
          const replay = replayFromRow<Event, State>(spec.codec, row);
          settle.push(() => pending.resolve(replay));
        }
        continue;
      }
      const twin = seenInBatch.get(keyId);
      if (twin) {
        // The same key twice in one batch: a double submit; the second is the first's replay.
        if (twin.pending.requestHash !== pending.requestHash)
          settle.push(() => pending.reject(new IdempotencyKeyReusedError(idempotency?.key ?? "")));
        else settle.push(() => pending.resolve({ ...outcomeOf(twin), replayed: true, state: undefined }));
        continue;
      }
    }
    let events: readonly Event[];
    try {
      guard?.(state, metadata.actor);
      events = spec.decider.decide(pending.command, state);
    } catch (error) {
      settle.push(() => pending.reject(error));
      continue;
    }
    const meta = eventMetadata(metadata);
    for (const event of events) {
      decided.push({ event, metadata: meta });
      state = spec.decider.evolve(state, event);
    }
    version += BigInt(events.length);
    const entry: Applied = { pending, idempotency, first: decided.length - events.length, count: events.length, state, version };
    applied.push(entry);
    if (keyId) seenInBatch.set(keyId, entry);
  }

  if (decided.length > stamp.globalPositions.length) {
    // More events than commands (a command that records two facts): draw the rest.
    const extra = readStamp((await tx.query(stampStatement(decided.length - stamp.globalPositions.length)))[0]);
    stamp = { ...stamp, globalPositions: [...stamp.globalPositions, ...extra.globalPositions] };
  }
  const recordedAt = batch[0]?.options.recordedAt;
  const plan = planAppend({
    streamId,
    streamType: spec.streamType,
    expectedVersion: loaded.version,
    events: decided.map(({ event, metadata }) => ({ ...spec.codec.encode(event), metadata })),
    stamp: recordedAt ? { ...stamp, recordedAt } : stamp,
  });
  const stored = plan.events.map((raw, index) => {
    const event = decided[index]?.event as Event;
    return { ...raw, type: event.type, data: event.data, event } as StoredEvent<Event>;
  });

  // Everything the command writes, as parts of one statement sent with COMMIT.
  const writes: AnyStatement[] = [];
  if (stored.length > 0) writes.push(...plan.parts);
  const every = BigInt(spec.snapshot.every);
  if (stored.length > 0 && version / every > loaded.version / every) {
    writes.push(
      statement(
        "insert into snapshots (stream_id, stream_position, state_schema_version, state) values ($1, $2::bigint, $3, $4::jsonb) on conflict do nothing",
        streamId,
        version.toString(),
        spec.snapshot.schemaVersion,
        JSON.stringify(toJsonValue(state)),
      ),
      // Older snapshots of the stream (dead weight: only the newest is read) are deleted by the
      // table's own trigger, as the owner: the app's role may not delete snapshots (decision 0023).
    );
  }
  const projection =
    spec.project && stored.length > 0
      ? await spec.project(stored, { stateBefore: loaded.state, streamCreatedAt: loaded.createdAt, prefetched, tx })
      : undefined;
  if (projection) writes.push(...projection.writes);

  function outcomeOf(entry: Applied): CommandOutcome<Event, State> {
    const last = entry.first + entry.count - 1;
    return {
      streamId,
      version: entry.version,
      events: stored.slice(entry.first, entry.first + entry.count),
      state: entry.state,
      replayed: false,
      projected: entry.count > 0 ? projection?.rows?.[last] : undefined,
    };
  }

  const keyRecords: Record<string, unknown>[] = [];
  for (const entry of applied) {
    const { pending } = entry;
    const outcome = outcomeOf(entry);
    // An answer that cannot be built is a bug: it throws, and the transaction records nothing.
    const reply = pending.options.reply?.(outcome);
    const idempotency = entry.idempotency;
    if (idempotency) {
      keyRecords.push({
        scope: idempotency.scope,
        key: idempotency.key,
        requestHash: pending.requestHash,
        result: {
          streamId,
          version: entry.version.toString(),
          events: plan.events.slice(entry.first, entry.first + entry.count).map(rawToJson),
        } satisfies StoredResult,
        responseStatus: reply?.status ?? null,
        responseBody: reply?.body ?? null,
        createdAt: stamp.recordedAt,
      });
    }
    const settled = reply ? { ...outcome, reply } : outcome;
    settle.push(() => pending.resolve(settled));
  }
  // No ON CONFLICT: a key recorded meanwhile by a request on another stream fails the transaction,
  // and the handler answers with that request's result.
  if (keyRecords.length > 0) writes.push(insertRowsStatement(idempotencyKeys, keyRecords));
  // One of each: callers of a batch may share a token, and its last use is written once.
  const seenWrites = new Set<string>();
  for (const write of callerWrites) {
    const id = JSON.stringify([write.text, write.params]);
    if (!seenWrites.has(id)) writes.push(write);
    seenWrites.add(id);
  }
  return { result: settle, writes: combinedWrites(writes) };
}

const callerReads = new Map<string, string>();

/** The caller's read with its key's record under the caller's id as scope ($n+1: the key, or null). */
function callerStatement(read: Statement, key: string | null): Statement {
  let text = callerReads.get(read.text);
  if (!text) {
    text = `select c.*, (select json_build_object('scope', k.scope, 'key', k.key, 'request_hash', k.request_hash, 'result', k.result,
                                 'response_status', k.response_status, 'response_body', k.response_body)
                from idempotency_keys k where k.scope = c.actor_id and k.key = $${read.params.length + 1}) as key_record
       from (${read.text}) c`;
    callerReads.set(read.text, text);
  }
  return statement(text, ...read.params, key);
}

type StoredResult = { streamId: string; version: string; events: JsonValue[] };

/** Fixed-text parts as one statement (a round trip's worth of parsing and planning saved); Drizzle SQL as is. */
function combinedWrites(writes: readonly AnyStatement[]): AnyStatement[] {
  if (!writes.every(isStatement)) return [...writes];
  const combined = combineWrites(writes as Statement[]);
  return combined ? [combined] : [];
}

/** The batch's keys as the JSON the stamp statement looks them up by, whatever their number. */
function keysJson(keyed: readonly { options: { idempotency?: { scope: string; key: string } } }[]): string {
  return JSON.stringify(keyed.map(({ options }) => ({ scope: options.idempotency?.scope, key: options.idempotency?.key })));
}

function replayFromRow<Event extends { type: string; data: unknown }, State>(codec: EventCodec<Event>, row: KeyRow): CommandOutcome<Event, State> {
  const result = (typeof row.result === "string" ? JSON.parse(row.result) : row.result) as StoredResult;
  const reply =
    row.response_status !== null && row.response_body !== null ? { status: Number(row.response_status), body: row.response_body } : undefined;
  return {
    streamId: result.streamId,
    version: BigInt(result.version),
    events: result.events.map((json) => decodeEvent(codec, rawFromSqlRow(json as Record<string, unknown>))),
    replayed: true,
    ...(reply ? { reply } : {}),
  };
}

async function readReplay<Command, Event extends { type: string; data: unknown }, State>(
  db: Database,
  spec: { codec: EventCodec<Event> },
  pending: Pending<Command, Event, State>,
): Promise<CommandOutcome<Event, State> | undefined> {
  const idempotency = pending.options.idempotency;
  // A deferred caller's scope is known only inside the transaction: the retry reads the key there.
  if (!idempotency || pending.options.caller) return undefined;
  const rows = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, idempotency.scope), eq(idempotencyKeys.key, idempotency.key)));
  const row = rows[0];
  if (!row) return undefined;
  if (row.requestHash !== pending.requestHash) throw new IdempotencyKeyReusedError(idempotency.key);
  return replayFromRow(spec.codec, {
    scope: row.scope,
    key: row.key,
    request_hash: row.requestHash,
    result: row.result,
    response_status: row.responseStatus,
    response_body: row.responseBody,
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
    ...(metadata.claimedCorrelationId ? { claimedCorrelationId: metadata.claimedCorrelationId } : {}),
  };
}
