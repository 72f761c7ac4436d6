/**
 * Event-store benchmark against a real Postgres: `DATABASE_URL=postgres://… npm run bench:store`.
 *
 * 1. Deposits through the real command path (`depositMoney`: validation, stream lock, load,
 *    decide, append, snapshot when due, inline projections, commit) with 1, 4 and 16 concurrent
 *    workers, on a random account among many and on one hot account.
 * 2. Aggregate load time (`loadAggregate`) for streams of 100, 10,000 and 100,000 events, with
 *    and without snapshots.
 *
 * It works in a scratch database of its own (created, migrated, dropped at the end, also on
 * failure), prints tables, and writes the figures to bench/results/store-<timestamp>.json.
 * Tunables (env): BENCH_DURATION_MS (8000), BENCH_WARMUP_MS (1000), BENCH_ACCOUNTS (1000),
 * BENCH_WORKERS ("1,4,16"), BENCH_STREAM_SIZES ("100,10000,100000"), BENCH_TIMEOUT_MS (600000).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { and, desc, eq, sql } from "drizzle-orm";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { type CommandContext, depositMoney, openAccount } from "../lib/commands/accounts";
import { type Database, type DatabaseHandle, openDatabase, redactUrl } from "../lib/db/client";
import { migrateDatabase } from "../lib/db/migrate";
import * as schema from "../lib/db/schema";
import { snapshots } from "../lib/db/schema";
import { ACCOUNT_STATE_SCHEMA_VERSION, accountEventCodec, decodeAccountState } from "../lib/domain/account/codec";
import { ACCOUNT_STREAM_TYPE, accountDecider, accountStreamId } from "../lib/domain/account/decider";
import type { AccountEvent } from "../lib/domain/account/events";
import type { AccountState } from "../lib/domain/account/state";
import type { CommandMetadata } from "../lib/domain/shared/decider";
import { toJsonValue } from "../lib/domain/shared/json";
import { appendToStream } from "../lib/event-store/append";
import { eventMetadata } from "../lib/event-store/handle-command";
import { loadAggregate, type SnapshotPolicy } from "../lib/event-store/load";
import { readStream } from "../lib/event-store/read";

// ---------------------------------------------------------------------------------------------
// Configuration

const ADMIN_URL = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const DURATION_MS = intEnv("BENCH_DURATION_MS", 8_000);
const WARMUP_MS = intEnv("BENCH_WARMUP_MS", 1_000);
const ACCOUNT_COUNT = intEnv("BENCH_ACCOUNTS", 1_000);
const WORKER_COUNTS = listEnv("BENCH_WORKERS", [1, 4, 16]);
const STREAM_SIZES = listEnv("BENCH_STREAM_SIZES", [100, 10_000, 100_000]);
const TIMEOUT_MS = intEnv("BENCH_TIMEOUT_MS", 600_000);
const SNAPSHOT_EVERY = 100;
const MAX_AMOUNT = 100_000_000n;
const APPEND_BATCH = 2_000; // 8 bound columns per event: 16,000 parameters, well under 65,535
const NO_SNAPSHOT_SCHEMA_VERSION = 9_999; // no snapshot has it: forces a full replay

const TARGET_HOT_OVER_RANDOM = 0.5;
const TARGET_LOAD_RATIO = 1.5;

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

function listEnv(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  return raw.split(",").map((part) => {
    const value = Number(part.trim());
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must list positive integers, got ${raw}`);
    return value;
  });
}

// ---------------------------------------------------------------------------------------------
// Scratch database

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

type Scratch = { readonly name: string; readonly url: string; drop: () => Promise<void> };

async function createScratchDatabase(): Promise<Scratch> {
  const name = `ll_bench_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  let dropped = false;
  return {
    name,
    url: withDatabaseName(ADMIN_URL, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      const cleaner = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      try {
        await cleaner.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await cleaner.end({ timeout: 5 });
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Small helpers

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, col) => Math.max(...cells.map((row) => (row[col] ?? "").length)));
  const line = (row: string[]) =>
    "| " + row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join(" | ") + " |";
  const rule = "|" + widths.map((w, col) => (col === 0 ? "-".repeat(w + 2) : "-".repeat(w + 1) + ":")).join("|") + "|";
  return [line(cells[0]!), rule, ...cells.slice(1).map(line)].join("\n");
}

function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

function metadata(): CommandMetadata {
  return { now: new Date(), actor: { id: "bench", role: "system" }, origin: "cli" };
}

// ---------------------------------------------------------------------------------------------
// Part 1: deposits through the command path

type WaitSample = Record<string, number>;

type DepositResult = {
  scenario: "random" | "hot";
  workers: number;
  durationMs: number;
  commands: number;
  commandsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  firstError?: string;
  /** What the benchmark's backends were doing, sampled from pg_stat_activity every 50 ms. */
  waits: WaitSample;
  /** Over the measured window: the whole machine's CPU busy share, and this Node process's (of one core). */
  machineCpuBusyPercent: number | null;
  nodeCpuPercentOfOneCore: number;
};

type CpuMark = { at: number; node: NodeJS.CpuUsage; machine: { busy: number; total: number } | null };

function machineCpu(): { busy: number; total: number } | null {
  try {
    const first = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const fields = first.trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null; // not Linux
  }
}

const cpuMark = (): CpuMark => ({ at: performance.now(), node: process.cpuUsage(), machine: machineCpu() });

function cpuBetween(from: CpuMark, to: CpuMark) {
  const node = { user: to.node.user - from.node.user, system: to.node.system - from.node.system };
  const wallUs = (to.at - from.at) * 1000;
  const machine =
    from.machine && to.machine && to.machine.total > from.machine.total
      ? round((100 * (to.machine.busy - from.machine.busy)) / (to.machine.total - from.machine.total), 1)
      : null;
  return { machineCpuBusyPercent: machine, nodeCpuPercentOfOneCore: round((100 * (node.user + node.system)) / wallUs, 1) };
}

/** Samples pg_stat_activity for the scratch database: where do the backends spend their time? */
function startWaitSampler(url: string, dbName: string): { stop: () => Promise<WaitSample> } {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  const counts: WaitSample = {};
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const rows = await client<{ what: string }[]>`
          select case
                   when state = 'idle' then 'idle (pool, between commands)'
                   when state = 'idle in transaction' then 'idle in tx (waiting on Node)'
                   when wait_event is null then 'active: running on CPU'
                   else 'active: ' || wait_event_type || '/' || wait_event
                 end as what
          from pg_stat_activity
          where datname = ${dbName} and pid <> pg_backend_pid() and backend_type = 'client backend'`;
        for (const row of rows) counts[row.what] = (counts[row.what] ?? 0) + 1;
      } catch {
        // sampling is best-effort
      }
      await sleep(50);
    }
  })();
  let stopped: Promise<WaitSample> | undefined;
  return {
    stop() {
      running = false;
      stopped ??= loop.then(() => client.end({ timeout: 5 })).then(() => counts);
      return stopped;
    },
  };
}

async function runDeposits(
  scratch: Scratch,
  scenario: "random" | "hot",
  workers: number,
  pickAccount: () => string,
): Promise<DepositResult> {
  const handle = await openDatabase({ kind: "postgres", url: scratch.url, poolMax: workers });
  const ctx: CommandContext = { db: handle.db, snapshotEvery: SNAPSHOT_EVERY, maxAmount: MAX_AMOUNT };
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const sampler = startWaitSampler(scratch.url, scratch.name);
  try {
    const start = performance.now();
    const measureFrom = start + WARMUP_MS;
    const measureTo = measureFrom + DURATION_MS;
    let fromMark: CpuMark | undefined;
    let toMark: CpuMark | undefined;
    const marks = [
      setTimeout(() => (fromMark = cpuMark()), WARMUP_MS),
      setTimeout(() => (toMark = cpuMark()), WARMUP_MS + DURATION_MS),
    ];
    const worker = async () => {
      while (performance.now() < measureTo) {
        const t0 = performance.now();
        let failed = false;
        try {
          const result = await depositMoney(ctx, { accountId: pickAccount(), amount: 100n, reference: "bench" }, metadata());
          if (result.outcome !== "accepted") throw new Error(`deposit ${result.outcome}: ${result.event.type}`);
        } catch (error) {
          failed = true;
          errors++;
          firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        }
        const t1 = performance.now();
        if (!failed && t0 >= measureFrom && t1 <= measureTo) latencies.push(t1 - t0);
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
    marks.forEach(clearTimeout);
    const cpu = fromMark ? cpuBetween(fromMark, toMark ?? cpuMark()) : { machineCpuBusyPercent: null, nodeCpuPercentOfOneCore: Number.NaN };
    const waits = await sampler.stop();
    const sorted = Float64Array.from(latencies).sort();
    return {
      scenario,
      workers,
      durationMs: DURATION_MS,
      commands: latencies.length,
      commandsPerSecond: round(latencies.length / (DURATION_MS / 1000), 1),
      p50Ms: round(percentile(sorted, 50)),
      p99Ms: round(percentile(sorted, 99)),
      maxMs: round(percentile(sorted, 100)),
      errors,
      firstError,
      waits,
      ...cpu,
    };
  } finally {
    await sampler.stop().catch(() => undefined);
    await handle.close();
  }
}

async function openAccounts(scratch: Scratch, count: number): Promise<string[]> {
  const handle = await openDatabase({ kind: "postgres", url: scratch.url, poolMax: 8 });
  const ctx: CommandContext = { db: handle.db, snapshotEvery: SNAPSHOT_EVERY, maxAmount: MAX_AMOUNT };
  const ids: string[] = [];
  try {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        next++;
        const result = await openAccount(ctx, { customerId: `bench-customer-${next % 97}`, currency: "EUR" }, metadata());
        ids.push(result.accountId);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    await handle.db.execute(sql`analyze`);
  } finally {
    await handle.close();
  }
  return ids;
}

type RoundTrips = {
  drizzleNoParameters: { p50Ms: number; p99Ms: number };
  drizzleOneParameter: { p50Ms: number; p99Ms: number };
  postgresJsPrepared: { p50Ms: number; p99Ms: number };
};

/**
 * One statement's latency inside a transaction, idle machine permitting: through Drizzle without and
 * with a bound parameter, and through a postgres.js prepared statement. Drizzle sends its queries
 * unnamed (prepare: false), and postgres.js sends an unnamed statement that has parameters as
 * Parse/Describe first and Bind/Execute after the reply: two network round trips per statement.
 */
async function roundTrips(scratch: Scratch, count = 500): Promise<RoundTrips> {
  const client = postgres(scratch.url, { max: 1, onnotice: () => {} });
  const db = drizzlePostgres({ client, schema }) as unknown as Database;
  const time = async (run: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < count + 50; i++) {
      const t0 = performance.now();
      await run();
      if (i >= 50) times.push(performance.now() - t0);
    }
    const sorted = Float64Array.from(times).sort();
    return { p50Ms: round(percentile(sorted, 50), 3), p99Ms: round(percentile(sorted, 99), 3) };
  };
  try {
    const viaDrizzle = await db.transaction(async (tx) => ({
      drizzleNoParameters: await time(() => tx.execute(sql`select 1`)),
      drizzleOneParameter: await time(() => tx.execute(sql`select ${1}::int`)),
    }));
    const postgresJsPrepared = await client.begin((inner) => time(() => inner`select ${1}::int`));
    return { ...viaDrizzle, postgresJsPrepared };
  } finally {
    await client.end({ timeout: 5 });
  }
}

type StatementProfile = {
  perCommand: number;
  /** Median ms from sending a statement to sending the next (for commit: to the command's return). */
  statements: { text: string; perCommand: number; medianMsUntilNext: number }[];
  medianMsBeforeFirstStatement: number;
  medianMsPerCommand: number;
};

/**
 * Watches one postgres.js client's queries while deposits run one after another: which statements a
 * deposit sends, and how long from each statement's send to the next one's (Postgres executing it,
 * the network, and Node handling its reply and building the next statement).
 */
async function profileDeposits(scratch: Scratch, accountId: string, commands: number): Promise<StatementProfile> {
  let current: { key: string; at: number }[] = [];
  const client = postgres(scratch.url, {
    max: 1,
    onnotice: () => {},
    debug: (_connection, query) => {
      current.push({ key: query.replace(/\s+/g, " ").trim().slice(0, 70), at: performance.now() });
    },
  });
  const db = drizzlePostgres({ client, schema }) as unknown as Database;
  const ctx: CommandContext = { db, snapshotEvery: SNAPSHOT_EVERY, maxAmount: MAX_AMOUNT };
  const counts = new Map<string, number>();
  const gaps = new Map<string, number[]>();
  const before: number[] = [];
  const totals: number[] = [];
  let total = 0;
  try {
    await depositMoney(ctx, { accountId, amount: 1n, reference: "warm" }, metadata()); // connect, warm up
    for (let i = 0; i < commands; i++) {
      current = [];
      const t0 = performance.now();
      await depositMoney(ctx, { accountId, amount: 1n, reference: "profile" }, metadata());
      const t1 = performance.now();
      totals.push(t1 - t0);
      before.push((current[0]?.at ?? t1) - t0);
      current.forEach(({ key, at }, index) => {
        total++;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        const list = gaps.get(key) ?? [];
        list.push((current[index + 1]?.at ?? t1) - at);
        gaps.set(key, list);
      });
    }
  } finally {
    await client.end({ timeout: 5 });
  }
  return {
    perCommand: round(total / commands, 2),
    statements: [...counts.entries()].map(([text, count]) => ({
      text,
      perCommand: round(count / commands, 2),
      medianMsUntilNext: round(median(gaps.get(text) ?? []), 3),
    })),
    medianMsBeforeFirstStatement: round(median(before), 3),
    medianMsPerCommand: round(median(totals), 3),
  };
}

// ---------------------------------------------------------------------------------------------
// Part 2: aggregate load time

type LoadResult = {
  events: number;
  withSnapshot: { medianMs: number; runs: number; eventsReplayed: number };
  withoutSnapshot: { medianMs: number; runs: number; eventsReplayed: number };
  /** What-if (see loadTwoStatements): with snapshot, snapshot and tail read by two statements. */
  withSnapshotTwoStatements: { medianMs: number; runs: number };
};

/** Builds an account stream of `size` events fast: batched appends, then one snapshot at the end. */
async function buildStream(db: Database, size: number): Promise<{ streamId: string; state: AccountState }> {
  const accountId = randomUUID();
  const streamId = accountStreamId(accountId);
  const meta = eventMetadata(metadata());
  const domainEvents: AccountEvent[] = [
    {
      type: "AccountOpened",
      data: { accountId, customerId: "bench-load", currency: "EUR", number: String(10_000_000 + size).slice(-8), nickname: null },
    },
  ];
  for (let i = 1; i < size; i++) {
    domainEvents.push({ type: "MoneyDeposited", data: { amount: BigInt(1 + (i % 50)), reference: i % 10 === 0 ? `ref ${i}` : null } });
  }
  for (let from = 0; from < size; from += APPEND_BATCH) {
    const batch = domainEvents.slice(from, from + APPEND_BATCH);
    await db.transaction((tx) =>
      appendToStream(tx, {
        streamId,
        streamType: ACCOUNT_STREAM_TYPE,
        expectedVersion: BigInt(from),
        events: batch.map((event) => accountEventCodec.encode(event)),
        metadata: meta,
      }),
    );
  }
  const state = domainEvents.reduce(accountDecider.evolve, accountDecider.initialState());
  await db.insert(snapshots).values({
    streamId,
    streamPosition: BigInt(size),
    stateSchemaVersion: ACCOUNT_STATE_SCHEMA_VERSION,
    state: toJsonValue(state),
  });
  return { streamId, state };
}

async function timeLoads(
  db: Database,
  streamId: string,
  policy: SnapshotPolicy<AccountState>,
  runs: number,
  expectedVersion: bigint,
): Promise<{ medianMs: number; runs: number; eventsReplayed: number; state: AccountState }> {
  const load = () => loadAggregate(db, { streamId, decider: accountDecider, codec: accountEventCodec, snapshot: policy });
  await load(); // warm: plan cache, connection, JIT of the fold
  const times: number[] = [];
  let last: Awaited<ReturnType<typeof load>> | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await load();
    times.push(performance.now() - t0);
  }
  if (!last || last.version !== expectedVersion) throw new Error(`Loaded version ${last?.version}, expected ${expectedVersion}`);
  return { medianMs: round(median(times), 3), runs, eventsReplayed: last.eventsReplayed, state: last.state };
}

/**
 * What-if, not lib code: the same load as two statements (newest snapshot, then `readStream` after
 * its position). The second statement carries the position as a value the planner can see, where
 * loadAggregate's single statement hides it behind `coalesce((select … from snap), 0)`.
 */
async function loadTwoStatements(db: Database, streamId: string, policy: SnapshotPolicy<AccountState>) {
  const [snap] = await db
    .select({ position: snapshots.streamPosition, state: snapshots.state })
    .from(snapshots)
    .where(and(eq(snapshots.streamId, streamId), eq(snapshots.stateSchemaVersion, policy.schemaVersion)))
    .orderBy(desc(snapshots.streamPosition))
    .limit(1);
  let state = snap ? policy.decode(snap.state) : accountDecider.initialState();
  let version = snap?.position ?? 0n;
  const tail = await readStream(db, streamId, { after: version });
  for (const raw of tail) {
    state = accountDecider.evolve(state, accountEventCodec.decode(raw.type, raw.schemaVersion, raw.data));
    version = raw.streamPosition;
  }
  return { state, version, eventsReplayed: tail.length };
}

async function timeTwoStatementLoads(db: Database, streamId: string, policy: SnapshotPolicy<AccountState>, runs: number, expectedVersion: bigint) {
  await loadTwoStatements(db, streamId, policy);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const loaded = await loadTwoStatements(db, streamId, policy);
    times.push(performance.now() - t0);
    if (loaded.version !== expectedVersion) throw new Error(`What-if load reached version ${loaded.version}, expected ${expectedVersion}`);
  }
  return { medianMs: round(median(times), 3), runs };
}

async function runLoads(scratch: Scratch): Promise<LoadResult[]> {
  const handle = await openDatabase({ kind: "postgres", url: scratch.url, poolMax: 1 });
  const withSnapshots: SnapshotPolicy<AccountState> = {
    schemaVersion: ACCOUNT_STATE_SCHEMA_VERSION,
    decode: decodeAccountState,
    every: SNAPSHOT_EVERY,
  };
  const withoutSnapshots: SnapshotPolicy<AccountState> = { ...withSnapshots, schemaVersion: NO_SNAPSHOT_SCHEMA_VERSION };
  const results: LoadResult[] = [];
  try {
    const built: { size: number; streamId: string; state: AccountState }[] = [];
    for (const size of STREAM_SIZES) {
      const t0 = performance.now();
      const stream = await buildStream(handle.db, size);
      built.push({ size, ...stream });
      log(`  built a stream of ${size.toLocaleString("en")} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    await handle.db.execute(sql`vacuum analyze events`);
    await handle.db.execute(sql`vacuum analyze snapshots`);
    for (const { size, streamId, state } of built) {
      const snap = await timeLoads(handle.db, streamId, withSnapshots, 20, BigInt(size));
      const full = await timeLoads(handle.db, streamId, withoutSnapshots, size >= 100_000 ? 3 : 20, BigInt(size));
      const twoStatements = await timeTwoStatementLoads(handle.db, streamId, withSnapshots, 20, BigInt(size));
      // Snapshots are disposable: both paths must agree with the fold the stream was built from.
      const expected = JSON.stringify(toJsonValue(state));
      if (JSON.stringify(toJsonValue(snap.state)) !== expected || JSON.stringify(toJsonValue(full.state)) !== expected) {
        throw new Error(`Stream of ${size} events: loaded state differs from the folded state`);
      }
      if (snap.eventsReplayed !== 0 || full.eventsReplayed !== size) {
        throw new Error(`Stream of ${size} events: replayed ${snap.eventsReplayed} / ${full.eventsReplayed} events`);
      }
      results.push({
        events: size,
        withSnapshot: { medianMs: snap.medianMs, runs: snap.runs, eventsReplayed: snap.eventsReplayed },
        withoutSnapshot: { medianMs: full.medianMs, runs: full.runs, eventsReplayed: full.eventsReplayed },
        withSnapshotTwoStatements: twoStatements,
      });
      log(`  loaded ${size.toLocaleString("en")}: ${snap.medianMs} ms with snapshot, ${full.medianMs} ms without`);
    }
    const largest = built.at(-1);
    if (largest) {
      const label = `${largest.size.toLocaleString("en")}-event stream with its snapshot`;
      plans.push(...(await explainLoad(scratch, largest.streamId, withSnapshots, label, ["force_custom_plan", "force_generic_plan"])));
    }
  } finally {
    await handle.close();
  }
  return results;
}

type Plan = { stream: string; planCacheMode: string; lines: string[] };
const plans: Plan[] = [];

/**
 * EXPLAIN ANALYZE of the exact statement loadAggregate sends (captured from the driver, not copied
 * here), as a custom plan and as the generic plan a prepared statement switches to after 5 runs.
 */
async function explainLoad(
  scratch: Scratch,
  streamId: string,
  policy: SnapshotPolicy<AccountState>,
  label: string,
  modes: string[],
): Promise<Plan[]> {
  let captured: { query: string; parameters: unknown[] } | undefined;
  const client = postgres(scratch.url, {
    max: 1,
    onnotice: () => {},
    debug: (_connection, query, parameters) => {
      if (query.includes("with snap")) captured ??= { query, parameters: parameters as unknown[] };
    },
  });
  const out: Plan[] = [];
  try {
    const db = drizzlePostgres({ client, schema }) as unknown as Database;
    await loadAggregate(db, { streamId, decider: accountDecider, codec: accountEventCodec, snapshot: policy });
    if (!captured) return out;
    const literals = captured.parameters.map((value) => `'${String(value).replace(/'/g, "''")}'`).join(", ");
    for (const mode of modes) {
      await client.unsafe(`set plan_cache_mode = ${mode}`);
      await client.unsafe(`prepare bench_load as ${captured.query}`);
      try {
        const rows = await client.unsafe(`explain (analyze, buffers, costs off) execute bench_load(${literals})`);
        out.push({ stream: label, planCacheMode: mode, lines: rows.map((row) => String(row["QUERY PLAN"])) });
      } finally {
        await client.unsafe(`deallocate bench_load`);
      }
    }
  } finally {
    await client.end({ timeout: 5 });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Main

async function serverFacts(url: string) {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await client<{ version: string; synchronous_commit: string; fsync: string; shared_buffers: string; pgss: boolean }[]>`
      select current_setting('server_version') as version,
             current_setting('synchronous_commit') as synchronous_commit,
             current_setting('fsync') as fsync,
             current_setting('shared_buffers') as shared_buffers,
             exists (select 1 from pg_extension where extname = 'pg_stat_statements') as pgss`;
    return row;
  } finally {
    await client.end({ timeout: 5 });
  }
}

async function main(): Promise<number> {
  const startedAt = new Date();
  log(`Ledgerline event-store benchmark — ${startedAt.toISOString()}`);
  log(`Postgres: ${redactUrl(ADMIN_URL)}; machine: ${os.cpus().length} CPU(s), load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);

  const scratch = await createScratchDatabase();
  let dropping: Promise<void> | undefined;
  const cleanup = () => (dropping ??= scratch.drop().catch((error: unknown) => log(`Could not drop ${scratch.name}: ${String(error)}`)));
  let aborting = false;
  const abort = (why: string) => {
    // A signal can arrive twice (from the terminal and relayed by npm/tsx): clean up once, keep waiting.
    if (aborting) return;
    aborting = true;
    log(`\n${why}: dropping ${scratch.name} and exiting.`);
    void cleanup().finally(() => process.exit(2));
  };
  process.on("SIGINT", () => abort("Interrupted"));
  process.on("SIGTERM", () => abort("Terminated"));
  const watchdog = setTimeout(() => abort(`Timed out after ${TIMEOUT_MS} ms`), TIMEOUT_MS);
  watchdog.unref();

  try {
    log(`Scratch database: ${scratch.name}`);
    const migrator: DatabaseHandle = await openDatabase({ kind: "postgres", url: scratch.url, poolMax: 1 });
    try {
      await migrateDatabase(migrator, { url: scratch.url });
    } finally {
      await migrator.close();
    }
    const server = await serverFacts(scratch.url);
    log(`Server: PostgreSQL ${server?.version}, synchronous_commit=${server?.synchronous_commit}, fsync=${server?.fsync}, shared_buffers=${server?.shared_buffers}`);

    // --- Part 1
    log(`\n[1/2] Deposits through depositMoney (snapshotEvery=${SNAPSHOT_EVERY}); ${WARMUP_MS} ms warm-up + ${DURATION_MS} ms per run`);
    let t0 = performance.now();
    const accounts = await openAccounts(scratch, ACCOUNT_COUNT);
    const [hotAccount] = await openAccounts(scratch, 1);
    if (!hotAccount) throw new Error("Could not open the hot account");
    log(`  opened ${accounts.length} accounts + 1 hot account in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const randomAccount = () => accounts[Math.floor(Math.random() * accounts.length)] as string;
    const deposits: DepositResult[] = [];
    for (const workers of WORKER_COUNTS) {
      for (const [scenario, pick] of [
        ["random", randomAccount],
        ["hot", () => hotAccount],
      ] as const) {
        const result = await runDeposits(scratch, scenario, workers, pick);
        deposits.push(result);
        log(
          `  ${scenario.padEnd(6)} × ${String(workers).padStart(2)} workers: ${result.commandsPerSecond} cmd/s, ` +
            `p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, errors ${result.errors}${result.firstError ? ` (${result.firstError})` : ""}`,
        );
      }
    }
    const probe = await openDatabase({ kind: "postgres", url: scratch.url, poolMax: 1 });
    const hotVersion = await loadAggregate(probe.db, {
      streamId: accountStreamId(hotAccount),
      decider: accountDecider,
      codec: accountEventCodec,
      snapshot: { schemaVersion: ACCOUNT_STATE_SCHEMA_VERSION, decode: decodeAccountState, every: SNAPSHOT_EVERY },
    }).finally(() => probe.close());
    plans.push(
      ...(await explainLoad(
        scratch,
        accountStreamId(hotAccount),
        { schemaVersion: ACCOUNT_STATE_SCHEMA_VERSION, decode: decodeAccountState, every: SNAPSHOT_EVERY },
        `hot account after part 1 (${hotVersion.version} events, ${hotVersion.eventsReplayed} after its snapshot)`,
        ["auto"],
      )),
    );
    const roundTrip = await roundTrips(scratch);
    const statementCounts = {
      randomAccount: await profileDeposits(scratch, accounts[0] as string, 200),
      hotAccount: await profileDeposits(scratch, hotAccount, 200),
    };

    // --- Part 2
    log(`\n[2/2] Aggregate load time (loadAggregate, median)`);
    t0 = performance.now();
    const loads = await runLoads(scratch);
    log(`  part 2 took ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // --- Report
    const maxWorkers = Math.max(...WORKER_COUNTS);
    const hot16 = deposits.find((d) => d.scenario === "hot" && d.workers === maxWorkers);
    const random16 = deposits.find((d) => d.scenario === "random" && d.workers === maxWorkers);
    const hotOverRandom = hot16 && random16 ? round(hot16.commandsPerSecond / random16.commandsPerSecond, 3) : Number.NaN;
    const smallest = loads.find((l) => l.events === Math.min(...STREAM_SIZES));
    const largest = loads.find((l) => l.events === Math.max(...STREAM_SIZES));
    const loadRatio = smallest && largest ? round(largest.withSnapshot.medianMs / smallest.withSnapshot.medianMs, 3) : Number.NaN;
    const whatIfRatio =
      smallest && largest ? round(largest.withSnapshotTwoStatements.medianMs / smallest.withSnapshotTwoStatements.medianMs, 3) : Number.NaN;
    const totalErrors = deposits.reduce((sum, d) => sum + d.errors, 0);

    log(`\nDeposits (depositMoney, ${DURATION_MS / 1000} s per run after ${WARMUP_MS / 1000} s warm-up)\n`);
    log(
      table(
        ["scenario", "workers", "commands/s", "p50 ms", "p99 ms", "max ms", "errors", "machine CPU", "Node CPU"],
        deposits.map((d) => [
          d.scenario === "random" ? `random of ${ACCOUNT_COUNT}` : "one hot account",
          d.workers,
          d.commandsPerSecond,
          d.p50Ms,
          d.p99Ms,
          d.maxMs,
          d.errors,
          d.machineCpuBusyPercent === null ? "-" : `${d.machineCpuBusyPercent}%`,
          `${d.nodeCpuPercentOfOneCore}%`,
        ]),
      ),
    );
    log(`\n(machine CPU: share of all ${os.cpus().length} cores busy, from /proc/stat; Node CPU: this process, in % of one core)`);
    log(
      `\nhot / random at ${maxWorkers} workers: ${hotOverRandom} (target ≥ ${TARGET_HOT_OVER_RANDOM}: ${hotOverRandom >= TARGET_HOT_OVER_RANDOM ? "met" : "MISSED"})`,
    );

    log(`\nWhere the backends were (pg_stat_activity samples, share of backend-samples) at ${maxWorkers} workers\n`);
    const waitKeys = [...new Set(deposits.filter((d) => d.workers === maxWorkers).flatMap((d) => Object.keys(d.waits)))].sort();
    const share = (d: DepositResult | undefined, key: string) => {
      if (!d) return "-";
      const total = Object.values(d.waits).reduce((a, b) => a + b, 0);
      return total ? `${((100 * (d.waits[key] ?? 0)) / total).toFixed(1)}%` : "-";
    };
    log(table(["backend state / wait event", "random", "hot"], waitKeys.map((key) => [key, share(random16, key), share(hot16, key)])));

    log(`\nStatements per deposit, one client, 200 deposits in a row (postgres.js debug hook): count, and median ms from its send to the next send\n`);
    const statementKeys = [...new Set([...statementCounts.randomAccount.statements, ...statementCounts.hotAccount.statements].map((s) => s.text))];
    const cell = (profile: StatementProfile, key: string) => {
      const found = profile.statements.find((s) => s.text === key);
      return found ? `${found.perCommand} × ${found.medianMsUntilNext.toFixed(3)}` : "-";
    };
    log(
      table(
        ["statement (first 70 chars)", "random account", "hot account"],
        [
          [
            "(before the first statement: validation, setup)",
            statementCounts.randomAccount.medianMsBeforeFirstStatement.toFixed(3),
            statementCounts.hotAccount.medianMsBeforeFirstStatement.toFixed(3),
          ],
          ...statementKeys.map((key) => [key, cell(statementCounts.randomAccount, key), cell(statementCounts.hotAccount, key)]),
          ["statements per command", statementCounts.randomAccount.perCommand, statementCounts.hotAccount.perCommand],
          ["median ms per command", statementCounts.randomAccount.medianMsPerCommand, statementCounts.hotAccount.medianMsPerCommand],
        ],
      ),
    );

    log(`\nOne statement inside a transaction (no load on the pool; p50 / p99 ms)\n`);
    log(
      table(
        ["statement", "p50 ms", "p99 ms"],
        [
          ["Drizzle, no parameter: select 1 (simple protocol)", roundTrip.drizzleNoParameters.p50Ms, roundTrip.drizzleNoParameters.p99Ms],
          ["Drizzle, one parameter: select $1 (unnamed: describe, then execute)", roundTrip.drizzleOneParameter.p50Ms, roundTrip.drizzleOneParameter.p99Ms],
          ["postgres.js prepared statement: select $1", roundTrip.postgresJsPrepared.p50Ms, roundTrip.postgresJsPrepared.p99Ms],
        ],
      ),
    );
    const hot1 = deposits.find((d) => d.scenario === "hot" && d.workers === Math.min(...WORKER_COUNTS));
    log(
      `\nA hot-stream command holds the row lock for 9 of its ${statementCounts.hotAccount.perCommand} statements (lock … commit); ` +
        `observed ceiling ${hot16?.commandsPerSecond} cmd/s = ${hot16 ? round(1000 / hot16.commandsPerSecond, 2) : "-"} ms per command` +
        (hot1 ? ` (1 worker: p50 ${hot1.p50Ms} ms per command).` : "."),
    );

    log(`\nAggregate load (loadAggregate, median ms per load)\n`);
    log(
      table(
        ["events in stream", "with snapshot", "runs", "replayed", "without snapshot", "runs", "replayed", "what-if: 2 statements"],
        loads.map((l) => [
          l.events.toLocaleString("en"),
          l.withSnapshot.medianMs,
          l.withSnapshot.runs,
          l.withSnapshot.eventsReplayed,
          l.withoutSnapshot.medianMs,
          l.withoutSnapshot.runs,
          l.withoutSnapshot.eventsReplayed,
          l.withSnapshotTwoStatements.medianMs,
        ]),
      ),
    );
    for (const plan of plans) {
      log(`\nEXPLAIN ANALYZE of the load statement, ${plan.stream}, ${plan.planCacheMode}:`);
      log(plan.lines.map((line) => `    ${line}`).join("\n"));
    }
    log(
      `\nload ${largest?.events.toLocaleString("en")} / ${smallest?.events.toLocaleString("en")} with snapshots: ${loadRatio} ` +
        `(target ≤ ${TARGET_LOAD_RATIO}: ${loadRatio <= TARGET_LOAD_RATIO ? "met" : "MISSED"}); ` +
        `what-if two-statement load: ${whatIfRatio}`,
    );

    const finishedAt = new Date();
    const results = {
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadAverageAtEnd: os.loadavg(), node: process.version },
      postgres: { target: redactUrl(ADMIN_URL), ...server },
      config: { durationMs: DURATION_MS, warmupMs: WARMUP_MS, accounts: ACCOUNT_COUNT, workers: WORKER_COUNTS, snapshotEvery: SNAPSHOT_EVERY },
      deposits,
      hotOverRandom: { workers: maxWorkers, ratio: hotOverRandom, target: TARGET_HOT_OVER_RANDOM, met: hotOverRandom >= TARGET_HOT_OVER_RANDOM },
      statementsPerDeposit: statementCounts,
      roundTrip,
      loads,
      loadPlans: plans,
      loadRatio: {
        largest: largest?.events,
        smallest: smallest?.events,
        ratio: loadRatio,
        target: TARGET_LOAD_RATIO,
        met: loadRatio <= TARGET_LOAD_RATIO,
        whatIfTwoStatements: whatIfRatio,
      },
      errors: totalErrors,
    };
    const dir = path.join(process.cwd(), "bench", "results");
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `store-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    log(`\nFigures written to ${path.relative(process.cwd(), file)} (total ${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s)`);
    if (totalErrors > 0) {
      log(`\n${totalErrors} command(s) failed: a benchmark run must have no errors.`);
      return 1;
    }
    return 0;
  } finally {
    clearTimeout(watchdog);
    await cleanup();
    log(`Dropped ${scratch.name}.`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
