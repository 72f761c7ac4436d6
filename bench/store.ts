/**
 * Event-store benchmark against a real Postgres: `DATABASE_URL=postgres://… npm run bench:store`.
 *
 * 1. Deposits through the real command path (`depositMoney`: validation, stream lock, load,
 *    decide, append, snapshot when due, inline projections, commit) with 1, 4 and 16 concurrent
 *    workers sharing one pool, on a random account among many and on one hot account.
 * 2. Aggregate load time (`loadAggregate`) for streams of 100, 10,000 and 100,000 events, with
 *    and without snapshots.
 * 3. Statement pages with BENCH_LARGE_EVENTS (1,000,000) account events stored: a second scratch
 *    database gets that many events (three long streams with 20 %, 10 % and 5 % of them, the rest
 *    in accounts of 20-180 events, interleaved, recorded over 700 days) with the projection rows the
 *    real projection code makes of them, then `readStatementPage` (what the portal and the API
 *    call) is timed per case: first page, deep page by cursor, type filters, date ranges; p50/p95
 *    (target p95 < 10 ms) and EXPLAIN (ANALYZE, BUFFERS) of each case's statement.
 * 4. `rebuildProjections` (what `npm run projections:rebuild` runs) over that database, on one
 *    connection: events/s (target ≥ 50,000), the time per phase, the statements it sent, CPU and
 *    heap; with BENCH_LARGE_VERIFY=1, `verifyProjections` first, which also proves the bulk-built
 *    rows equal a replay.
 *
 * It works in scratch databases of its own (created, migrated, dropped at the end, also on
 * failure, Ctrl-C or timeout), prints tables, and writes the figures to
 * bench/results/store-<timestamp>.json. See docs/performance.md.
 *
 * Tunables (env): BENCH_DURATION_MS (8000), BENCH_WARMUP_MS (1000), BENCH_ACCOUNTS (1000),
 * BENCH_WORKERS ("1,4,16"), BENCH_STREAM_SIZES ("100,10000,100000"), BENCH_TIMEOUT_MS (1800000),
 * BENCH_LARGE_EVENTS (1000000; 0 skips parts 3 and 4), BENCH_STATEMENT_RUNS (200 per case),
 * BENCH_LARGE_VERIFY (0; 1 runs verifyProjections before the rebuild: about as long again).
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { type CommandContext, depositMoney, openAccount } from "../lib/commands/accounts";
import { type Database, openDatabase, redactUrl } from "../lib/db/client";
import { migrateDatabase } from "../lib/db/migrate";
import { insertRows } from "../lib/db/rows";
import { accountSummary, type AccountSummaryRow, auditLog, type AuditLogRow, snapshots, statementEntries, type StatementEntryRow } from "../lib/db/schema";
import { accountNumberFromDigits } from "../lib/domain/account/account-number";
import { ACCOUNT_STATE_SCHEMA_VERSION, accountEventCodec, decodeAccountState } from "../lib/domain/account/codec";
import { ACCOUNT_STREAM_TYPE, accountDecider, accountStreamId } from "../lib/domain/account/decider";
import type { AccountEvent } from "../lib/domain/account/events";
import type { AccountState } from "../lib/domain/account/state";
import { toJsonValue } from "../lib/domain/shared/json";
import { appendToStream } from "../lib/event-store/append";
import { eventMetadata } from "../lib/event-store/handle-command";
import { loadAggregate, type SnapshotPolicy } from "../lib/event-store/load";
import { type AccountStoredEvent, projectAccountRun } from "../lib/projections/account-projection";
import { rebuildProjections, verifyProjections } from "../lib/projections/rebuild";
import { bulkSql } from "../lib/projections/bulk";
import { currentSnapshot, readPage } from "../lib/projections/replay";
import { readStatementPage, type StatementFilter } from "../lib/read-models/accounts";
import {
  drizzleOver,
  explainCaptured,
  explainLoad,
  loadInTwoStatements,
  type Plan,
  profileDeposits,
  startWaitSampler,
  type StatementCosts,
  statementCosts,
  type StatementProfile,
  type WaitSample,
} from "./diagnostics";
import {
  benchMetadata,
  type CpuMark,
  cpuBetween,
  cpuMark,
  createScratchDatabase,
  intEnv,
  latencySummary,
  listEnv,
  log,
  median,
  p50p95,
  round,
  type Scratch,
  seededRandom,
  table,
} from "./support";

const ADMIN_URL = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const DURATION_MS = intEnv("BENCH_DURATION_MS", 8_000);
const WARMUP_MS = intEnv("BENCH_WARMUP_MS", 1_000);
const ACCOUNT_COUNT = intEnv("BENCH_ACCOUNTS", 1_000);
const WORKER_COUNTS = listEnv("BENCH_WORKERS", [1, 4, 16]);
const STREAM_SIZES = listEnv("BENCH_STREAM_SIZES", [100, 10_000, 100_000]);
const TIMEOUT_MS = intEnv("BENCH_TIMEOUT_MS", 1_800_000);
const LARGE_EVENTS = intEnv("BENCH_LARGE_EVENTS", 1_000_000, 0);
const LARGE_VERIFY = intEnv("BENCH_LARGE_VERIFY", 0, 0) > 0;
const STATEMENT_RUNS = intEnv("BENCH_STATEMENT_RUNS", 200);

const SETTINGS: Omit<CommandContext, "db"> = { snapshotEvery: 100, maxAmount: 100_000_000n };
const WITH_SNAPSHOTS: SnapshotPolicy<AccountState> = {
  schemaVersion: ACCOUNT_STATE_SCHEMA_VERSION,
  decode: decodeAccountState,
  every: SETTINGS.snapshotEvery,
};
/** No snapshot has this state schema version, so loading with it replays the whole stream. */
const WITHOUT_SNAPSHOTS: SnapshotPolicy<AccountState> = { ...WITH_SNAPSHOTS, schemaVersion: 9_999 };
const APPEND_BATCH = 2_000; // 8 bound columns per event: 16,000 parameters, under the 65,535 limit

const TARGET_HOT_OVER_RANDOM = 0.5;
const TARGET_LOAD_RATIO = 1.5;
const TARGET_STATEMENT_P95_MS = 10;
const TARGET_REBUILD_EVENTS_PER_SECOND = 50_000;

/** Shares of the large data set's events in its long streams (the rest: accounts of 20-180 events). */
const LONG_STREAM_SHARES = [0.2, 0.1, 0.05];
const LARGE_BATCH = 5_000;
const LARGE_END = "2026-11-01T00:00:00Z";
const LARGE_SPAN_DAYS = 700;
/** What the portal (lib/dal/accounts.ts) and the API (default `limit`) ask for. */
const STATEMENT_PAGE_SIZE = 25;

// ---------------------------------------------------------------------------------------------
// Part 1: deposits through the command path

type Scenario = "random" | "hot";

type DepositRun = {
  scenario: Scenario;
  workers: number;
  durationMs: number;
  commands: number;
  commandsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  firstError?: string;
  /** What the run's Postgres backends were doing (pg_stat_activity samples, measured window only). */
  waits: WaitSample;
  /** Over the measured window: all cores busy (any process), and this Node process (% of one core). */
  machineCpuBusyPercent: number | null;
  nodeCpuPercentOfOneCore: number;
};

async function openAccounts(scratch: Scratch, count: number): Promise<string[]> {
  const handle = await openDatabase({ kind: "postgres", url: scratch.url, poolMax: 8 });
  const ctx: CommandContext = { ...SETTINGS, db: handle.db };
  const ids: string[] = [];
  try {
    let started = 0;
    const worker = async () => {
      while (started < count) {
        started++;
        const input = { customerId: `bench-customer-${started % 97}`, currency: "EUR" };
        ids.push((await openAccount(ctx, input, benchMetadata())).accountId);
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, count) }, worker));
    await handle.db.execute(sql`analyze`);
  } finally {
    await handle.close();
  }
  return ids;
}

/**
 * `workers` async loops share one pool of `workers` connections; each issues its next deposit when
 * the previous one returns. Commands that start after the warm-up and end before the deadline count.
 */
async function runDeposits(scratch: Scratch, scenario: Scenario, workers: number, pickAccount: () => string): Promise<DepositRun> {
  const handle = await openDatabase({ kind: "postgres", url: scratch.url, poolMax: workers });
  const ctx: CommandContext = { ...SETTINGS, db: handle.db };
  const start = performance.now();
  const measureFrom = start + WARMUP_MS;
  const measureTo = measureFrom + DURATION_MS;
  const sampler = startWaitSampler(scratch, () => {
    const now = performance.now();
    return now >= measureFrom && now <= measureTo;
  });
  let fromMark: CpuMark | undefined;
  let toMark: CpuMark | undefined;
  const timers = [
    setTimeout(() => (fromMark = cpuMark()), WARMUP_MS),
    setTimeout(() => (toMark = cpuMark()), WARMUP_MS + DURATION_MS),
  ];
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  try {
    const worker = async () => {
      while (performance.now() < measureTo) {
        const t0 = performance.now();
        try {
          const result = await depositMoney(ctx, { accountId: pickAccount(), amount: 100n, reference: "bench" }, benchMetadata());
          if (result.outcome !== "accepted") throw new Error(`deposit ${result.outcome}: ${result.event.type}`);
          const t1 = performance.now();
          if (t0 >= measureFrom && t1 <= measureTo) latencies.push(t1 - t0);
        } catch (error) {
          errors++;
          firstError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        }
      }
    };
    await Promise.all(Array.from({ length: workers }, worker));
    const cpu = fromMark ? cpuBetween(fromMark, toMark ?? cpuMark()) : { machineCpuBusyPercent: null, nodeCpuPercentOfOneCore: Number.NaN };
    return {
      scenario,
      workers,
      durationMs: DURATION_MS,
      commands: latencies.length,
      commandsPerSecond: round(latencies.length / (DURATION_MS / 1000), 1),
      ...latencySummary(latencies),
      errors,
      firstError,
      waits: await sampler.stop(),
      ...cpu,
    };
  } finally {
    timers.forEach(clearTimeout);
    await sampler.stop().catch(() => undefined);
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Part 2: aggregate load time

type LoadRun = {
  events: number;
  withSnapshot: { medianMs: number; runs: number; eventsReplayed: number };
  withoutSnapshot: { medianMs: number; runs: number; eventsReplayed: number };
  /** What-if, not lib code (see loadInTwoStatements): with the snapshot, read by two statements. */
  whatIfTwoStatements: { medianMs: number; runs: number };
};

/** An account stream of `size` events, built fast: batched appends, then one snapshot at the end. */
async function buildStream(db: Database, size: number): Promise<{ streamId: string; state: AccountState }> {
  const accountId = randomUUID();
  const streamId = accountStreamId(accountId);
  const metadata = eventMetadata(benchMetadata());
  const events: AccountEvent[] = [
    {
      type: "AccountOpened",
      data: { accountId, customerId: "bench-load", currency: "EUR", number: String(10_000_000 + size).slice(-8), nickname: null },
    },
  ];
  for (let i = 1; i < size; i++) {
    events.push({ type: "MoneyDeposited", data: { amount: BigInt(1 + (i % 50)), reference: i % 10 === 0 ? `ref ${i}` : null } });
  }
  for (let from = 0; from < size; from += APPEND_BATCH) {
    const batch = events.slice(from, from + APPEND_BATCH).map((event) => accountEventCodec.encode(event));
    await db.transaction((tx) =>
      appendToStream(tx, { streamId, streamType: ACCOUNT_STREAM_TYPE, expectedVersion: BigInt(from), events: batch, metadata }),
    );
  }
  const state = events.reduce(accountDecider.evolve, accountDecider.initialState());
  await db.insert(snapshots).values({
    streamId,
    streamPosition: BigInt(size),
    stateSchemaVersion: ACCOUNT_STATE_SCHEMA_VERSION,
    state: toJsonValue(state),
  });
  return { streamId, state };
}

/** Median of `runs` timed calls, after one untimed call. */
async function timeIt<T>(runs: number, run: () => Promise<T>): Promise<{ medianMs: number; runs: number; last: T }> {
  let last = await run();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await run();
    times.push(performance.now() - t0);
  }
  return { medianMs: round(median(times), 3), runs, last };
}

async function runLoads(scratch: Scratch, plans: Plan[]): Promise<LoadRun[]> {
  const handle = await openDatabase({ kind: "postgres", url: scratch.url, poolMax: 1 });
  const db = handle.db;
  const results: LoadRun[] = [];
  try {
    const built: { size: number; streamId: string; state: AccountState }[] = [];
    for (const size of STREAM_SIZES) {
      const t0 = performance.now();
      built.push({ size, ...(await buildStream(db, size)) });
      log(`  built a stream of ${size.toLocaleString("en")} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    await db.execute(sql`vacuum analyze events, snapshots`);

    for (const { size, streamId, state } of built) {
      const load = (snapshot: SnapshotPolicy<AccountState>) => () =>
        loadAggregate(db, { streamId, decider: accountDecider, codec: accountEventCodec, snapshot });
      const withSnapshot = await timeIt(20, load(WITH_SNAPSHOTS));
      const withoutSnapshot = await timeIt(size >= 100_000 ? 3 : 20, load(WITHOUT_SNAPSHOTS));
      const whatIf = await timeIt(20, () => loadInTwoStatements(db, streamId, WITH_SNAPSHOTS));

      // Snapshots are disposable: every path must give the state the stream was folded into.
      const expected = JSON.stringify(toJsonValue(state));
      for (const [name, loaded] of [
        ["with snapshot", withSnapshot.last],
        ["without snapshot", withoutSnapshot.last],
        ["two statements", whatIf.last],
      ] as const) {
        if (loaded.version !== BigInt(size) || JSON.stringify(toJsonValue(loaded.state)) !== expected) {
          throw new Error(`Stream of ${size} events, ${name}: loaded version ${loaded.version} or its state is wrong`);
        }
      }
      if (withSnapshot.last.eventsReplayed !== 0 || withoutSnapshot.last.eventsReplayed !== size) {
        throw new Error(`Stream of ${size} events: replayed ${withSnapshot.last.eventsReplayed} / ${withoutSnapshot.last.eventsReplayed}`);
      }
      results.push({
        events: size,
        withSnapshot: { medianMs: withSnapshot.medianMs, runs: withSnapshot.runs, eventsReplayed: withSnapshot.last.eventsReplayed },
        withoutSnapshot: { medianMs: withoutSnapshot.medianMs, runs: withoutSnapshot.runs, eventsReplayed: withoutSnapshot.last.eventsReplayed },
        whatIfTwoStatements: { medianMs: whatIf.medianMs, runs: whatIf.runs },
      });
      log(`  loaded ${size.toLocaleString("en")}: ${withSnapshot.medianMs} ms with snapshot, ${withoutSnapshot.medianMs} ms without`);
    }

    const largest = built.at(-1);
    if (largest) {
      const label = `${largest.size.toLocaleString("en")}-event stream with its snapshot`;
      plans.push(...(await explainLoad(scratch, largest.streamId, WITH_SNAPSHOTS, label, ["force_custom_plan", "force_generic_plan"])));
    }
  } finally {
    await handle.close();
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Parts 3 and 4: statement pages and projection rebuild over LARGE_EVENTS account events

type LargeAccount = {
  id: string;
  number: string;
  /** Events this account gets in the data set. */
  size: number;
  emitted: number;
  entries: number;
  /** The account_summary row as the real projection has it after the events emitted so far. */
  summary: AccountSummaryRow | undefined;
  pending: { transferId: string; amount: bigint } | null;
};

type LargeDataset = {
  events: number;
  accounts: number;
  rows: { statementEntries: number; auditLog: number; accountSummary: number };
  longStreams: { accountId: string; events: number; entries: number }[];
  smallAccountIds: string[];
  firstRecordedAt: string;
  lastRecordedAt: string;
  buildMs: number;
};

const COUNTERPARTY = { accountId: "00000000-0000-4000-8000-000000000001", number: accountNumberFromDigits("99990001"), name: "Bench Counterparty Ltd" };

/**
 * The next event of one account, consistent with its state (withdrawals and holds only from what
 * is available, a capture or release after each hold): 45 % deposits, 25 % withdrawals (refused
 * when the funds are short), 10 % incoming transfers, 10 % outgoing (hold, then capture or
 * release), the rest deposits, and 1.5 % deliberate overdraft attempts, so "rejected" is rare.
 */
function nextAccountEvent(account: LargeAccount, random: () => number): AccountEvent {
  if (account.emitted === 0) {
    return { type: "AccountOpened", data: { accountId: account.id, customerId: `bench-large-${account.number.slice(-4)}`, currency: "EUR", number: account.number, nickname: null } };
  }
  const available = account.summary?.available ?? 0n;
  if (account.pending) {
    const { transferId, amount } = account.pending;
    account.pending = null;
    if (random() < 0.1) return { type: "ReservationReleased", data: { transferId, amount, reason: "Transfer failed" } };
    return { type: "ReservationCaptured", data: { transferId, amount, counterparty: COUNTERPARTY, reference: "Invoice" } };
  }
  const roll = random();
  const amount = BigInt(1 + Math.floor(random() * 100_000));
  const reference = random() < 0.2 ? "Salary" : null;
  if (roll < 0.25 || roll >= 0.9 && roll < 0.985) return { type: "MoneyDeposited", data: { amount, reference } };
  if (roll < 0.5) {
    return amount <= available
      ? { type: "MoneyWithdrawn", data: { amount, reference } }
      : { type: "WithdrawalRejected", data: { amount, reference, code: "INSUFFICIENT_FUNDS", available } };
  }
  if (roll < 0.6) return { type: "TransferCredited", data: { transferId: randomUUID(), amount, counterparty: COUNTERPARTY, reference } };
  if (roll < 0.7 && amount <= available) {
    account.pending = { transferId: randomUUID(), amount };
    return { type: "FundsReserved", data: { transferId: account.pending.transferId, amount } };
  }
  if (roll < 0.9) return { type: "MoneyDeposited", data: { amount, reference } };
  return { type: "WithdrawalRejected", data: { amount: available + amount, reference: null, code: "INSUFFICIENT_FUNDS", available } };
}

/**
 * Writes `total` account events with the projection rows the real code makes of them. Three long
 * streams hold 20 %, 10 % and 5 % of the events; the rest go to accounts of 20–180 events. Events of
 * all accounts are interleaved in global order (as in production, so a long stream's rows are spread
 * over the heap), with recorded_at spread evenly over LARGE_SPAN_DAYS up to LARGE_END.
 *
 * Rows are built by `projectAccountRun`, the inline projection's own fold, and written by
 * `insertRows`, its own serializer; the events get explicit global positions
 * (1…total, identity sequence moved past them), so no read-back is needed. `verifyProjections`
 * proves the rows equal a replay (BENCH_LARGE_VERIFY=1).
 */
async function buildLargeDataset(url: string, total: number): Promise<LargeDataset> {
  const t0 = performance.now();
  const random = seededRandom(20261123);
  const accounts: LargeAccount[] = [];
  const addAccount = (size: number) =>
    accounts.push({
      id: randomUUID(),
      number: accountNumberFromDigits(String(accounts.length + 1).padStart(8, "0")),
      size,
      emitted: 0,
      entries: 0,
      summary: undefined,
      pending: null,
    });
  for (const share of LONG_STREAM_SHARES) addAccount(Math.max(2, Math.floor(total * share)));
  let left = total - accounts.reduce((sum, a) => sum + a.size, 0);
  while (left > 0) {
    const size = Math.min(left, 20 + Math.floor(random() * 161));
    addAccount(size);
    left -= size;
  }
  // One slot per event, naming its account, shuffled: the global order interleaves all accounts.
  const slots = new Int32Array(total);
  let filled = 0;
  accounts.forEach((account, index) => slots.fill(index, filled, (filled += account.size)));
  for (let i = total - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = slots[i] as number;
    slots[i] = slots[j] as number;
    slots[j] = swap;
  }

  // Three connections: events, statement_entries and audit_log of a batch go in parallel while
  // Node builds the next batch. synchronous_commit=off only speeds up this set-up.
  const client = postgres(url, { max: 3, onnotice: () => {}, connection: { synchronous_commit: "off" } });
  const db = drizzleOver(client);
  const metadata = eventMetadata(benchMetadata());
  const end = Date.parse(LARGE_END);
  const step = (LARGE_SPAN_DAYS * 86_400_000) / total;
  const counts = { statementEntries: 0, auditLog: 0, accountSummary: 0 };
  const inFlight: Promise<unknown>[] = [];
  try {
    // Indexes and key constraints are dropped for the load and made again after it from their own
    // definitions (the schema ends as migrated): sorted builds are far cheaper than a million
    // random-order inserts into each index.
    const indexes = await client<{ name: string; definition: string }[]>`
      select i.indexname as name, i.indexdef as definition
        from pg_indexes i
       where i.schemaname = current_schema() and i.tablename in ('events', 'statement_entries', 'audit_log')
         and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`;
    const constraints = await client<{ table: string; name: string; definition: string }[]>`
      select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as definition
        from pg_constraint
       where conrelid in ('events'::regclass, 'statement_entries'::regclass, 'audit_log'::regclass) and contype in ('p', 'u')`;
    for (const index of indexes) await client.unsafe(`drop index "${index.name}"`);
    for (const c of constraints) await client.unsafe(`alter table ${c.table} drop constraint "${c.name}"`);
    for (let from = 0; from < total; from += LARGE_BATCH) {
      const eventRows: Record<string, unknown>[] = [];
      const statement: StatementEntryRow[] = [];
      const audit: AuditLogRow[] = [];
      for (let i = from; i < Math.min(total, from + LARGE_BATCH); i++) {
        const account = accounts[slots[i] as number] as LargeAccount;
        const event = nextAccountEvent(account, random);
        const encoded = accountEventCodec.encode(event);
        const stored: AccountStoredEvent = {
          globalPosition: BigInt(i + 1),
          transactionId: "0",
          streamId: accountStreamId(account.id),
          streamType: ACCOUNT_STREAM_TYPE,
          streamPosition: BigInt(++account.emitted),
          eventId: randomUUID(),
          schemaVersion: encoded.schemaVersion,
          type: event.type,
          data: event.data,
          metadata,
          recordedAt: new Date(end - (total - i) * step),
          event,
        };
        const run = projectAccountRun(account.summary, [stored]);
        account.summary = run.summary;
        account.entries += run.statement.length;
        statement.push(...run.statement);
        audit.push(...run.audit);
        eventRows.push({
          global_position: String(stored.globalPosition),
          stream_id: stored.streamId,
          stream_type: stored.streamType,
          stream_position: String(stored.streamPosition),
          event_id: stored.eventId,
          event_type: encoded.type,
          schema_version: encoded.schemaVersion,
          data: encoded.data,
          metadata,
          recorded_at: stored.recordedAt.toISOString(),
        });
      }
      counts.statementEntries += statement.length;
      counts.auditLog += audit.length;
      const batch = Promise.all([
        db.execute(sql`
          insert into events (${sql.raw(EVENT_COLUMNS.join(", "))}) overriding system value
          select ${sql.raw(EVENT_COLUMNS.join(", "))} from jsonb_populate_recordset(null::events, ${JSON.stringify(eventRows)}::jsonb)`),
        statement.length > 0 ? db.execute(insertRows(statementEntries, statement)) : undefined,
        audit.length > 0 ? db.execute(insertRows(auditLog, audit)) : undefined,
      ]);
      batch.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
      inFlight.push(batch);
      if (inFlight.length >= 2) await inFlight.shift();
      if ((from / LARGE_BATCH) % 40 === 39) log(`    ${(from + LARGE_BATCH).toLocaleString("en")} events written`);
    }
    await Promise.all(inFlight);
    const summaries = accounts.flatMap((a) => (a.summary ? [a.summary] : []));
    counts.accountSummary = summaries.length;
    for (let from = 0; from < summaries.length; from += LARGE_BATCH) {
      await db.execute(insertRows(accountSummary, summaries.slice(from, from + LARGE_BATCH)));
    }
    await db.execute(sql`
      insert into streams (stream_id, stream_type, version, created_at, updated_at)
      select stream_id, stream_type, max(stream_position), min(recorded_at), max(recorded_at) from events group by stream_id, stream_type`);
    await db.execute(sql`select setval(pg_get_serial_sequence('events', 'global_position'), ${total})`);
    const t1 = performance.now();
    const statements = [
      ...constraints.map((c) => `alter table ${c.table} add constraint "${c.name}" ${c.definition}`),
      ...indexes.map((index) => index.definition),
    ];
    await Promise.all(
      statements.map((statement) =>
        client.begin(async (tx) => {
          await tx.unsafe(`set local maintenance_work_mem = '256MB'`);
          await tx.unsafe(statement);
        }),
      ),
    );
    log(`    ${constraints.length} key constraints and ${indexes.length} indexes made again in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    await db.execute(sql`vacuum analyze events, streams, account_summary, statement_entries, audit_log`);
  } finally {
    await client.end({ timeout: 5 });
  }
  return {
    events: total,
    accounts: accounts.length,
    rows: counts,
    longStreams: accounts.slice(0, LONG_STREAM_SHARES.length).map((a) => ({ accountId: a.id, events: a.size, entries: a.entries })),
    smallAccountIds: accounts.slice(LONG_STREAM_SHARES.length).map((a) => a.id),
    firstRecordedAt: new Date(end - total * step).toISOString(),
    lastRecordedAt: new Date(end - step).toISOString(),
    buildMs: round(performance.now() - t0, 0),
  };
}

const EVENT_COLUMNS = ["global_position", "stream_id", "stream_type", "stream_position", "event_id", "event_type", "schema_version", "data", "metadata", "recorded_at"];

type StatementCase = {
  name: string;
  /** Arguments of readStatementPage; called anew for each run (some cases vary the cursor or account). */
  args: () => { accountId: string; filter: StatementFilter; cursor: bigint | undefined };
};

type StatementRun = {
  name: string;
  runs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  rowsPerPage: number;
  met: boolean;
  plan: string[];
};

/** `date` shifted by `days`, as YYYY-MM-DD. */
const isoDay = (date: Date, days = 0) => new Date(date.getTime() + days * 86_400_000).toISOString().slice(0, 10);

function statementCases(data: LargeDataset): StatementCase[] {
  const random = seededRandom(7);
  const [longest] = data.longStreams;
  if (!longest) throw new Error("The large data set has no long stream");
  const long = longest.accountId;
  const all: StatementFilter = { kind: "all" };
  // A month and a day about a year before the newest event, where a newest-first scan is far away.
  const yearBack = new Date(Date.parse(data.lastRecordedAt) - 365 * 86_400_000);
  const month: StatementFilter = { kind: "all", from: isoDay(yearBack), to: isoDay(yearBack, 30) };
  const deepCursor = () => BigInt(1_000 + Math.floor(random() * Math.max(1, longest.events / 2)));
  const small = () => data.smallAccountIds[Math.floor(random() * data.smallAccountIds.length)] as string;
  const label = `${longest.entries.toLocaleString("en")}-entry account`;
  return [
    { name: "first page, random small account", args: () => ({ accountId: small(), filter: all, cursor: undefined }) },
    { name: `first page, ${label}`, args: () => ({ accountId: long, filter: all, cursor: undefined }) },
    { name: `deep page (cursor in the older half), ${label}`, args: () => ({ accountId: long, filter: all, cursor: deepCursor() }) },
    { name: `type=deposit, first page, ${label}`, args: () => ({ accountId: long, filter: { kind: "deposit" }, cursor: undefined }) },
    { name: `type=deposit, deep page, ${label}`, args: () => ({ accountId: long, filter: { kind: "deposit" }, cursor: deepCursor() }) },
    { name: `type=transfer, first page, ${label}`, args: () => ({ accountId: long, filter: { kind: "transfer" }, cursor: undefined }) },
    { name: `type=rejected, first page, ${label}`, args: () => ({ accountId: long, filter: { kind: "rejected" }, cursor: undefined }) },
    { name: `${month.from}..${month.to}, first page, ${label}`, args: () => ({ accountId: long, filter: month, cursor: undefined }) },
    { name: `${month.from}..${month.to} + type=deposit, ${label}`, args: () => ({ accountId: long, filter: { ...month, kind: "deposit" }, cursor: undefined }) },
    { name: `one day (${month.from}), first page, ${label}`, args: () => ({ accountId: long, filter: { kind: "all", from: month.from, to: month.from }, cursor: undefined }) },
    { name: `${month.from}..${month.to}, first page, random small account`, args: () => ({ accountId: small(), filter: month, cursor: undefined }) },
  ];
}

/** Each case: 20 untimed reads, then STATEMENT_RUNS timed ones; EXPLAIN of one more. */
async function runStatementPages(url: string, data: LargeDataset): Promise<StatementRun[]> {
  const handle = await openDatabase({ kind: "postgres", url, poolMax: 1 });
  const results: StatementRun[] = [];
  try {
    for (const testCase of statementCases(data)) {
      const read = async () => {
        const { accountId, filter, cursor } = testCase.args();
        return readStatementPage(handle.db, accountId, filter, cursor, STATEMENT_PAGE_SIZE);
      };
      for (let i = 0; i < 20; i++) await read();
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < STATEMENT_RUNS; i++) {
        const t0 = performance.now();
        const page = await read();
        times.push(performance.now() - t0);
        rows += page.rows.length;
      }
      const { accountId, filter, cursor } = testCase.args();
      const plan = await explainCaptured(url, "statement_entries", (db) => readStatementPage(db, accountId, filter, cursor, STATEMENT_PAGE_SIZE));
      const latency = p50p95(times);
      results.push({ name: testCase.name, runs: STATEMENT_RUNS, ...latency, rowsPerPage: round(rows / STATEMENT_RUNS, 1), met: latency.p95Ms < TARGET_STATEMENT_P95_MS, plan });
      log(`  ${testCase.name}: p50 ${latency.p50Ms} ms, p95 ${latency.p95Ms} ms`);
    }
  } finally {
    await handle.close();
  }
  return results;
}

type RebuildRun = {
  events: number;
  rows: Record<string, number>;
  elapsedMs: number;
  eventsPerSecond: number;
  met: boolean;
  /** rebuildProjections' own phases: replay and load (binary COPY), indexes and constraints, analyze, catch-up, lock, swap. */
  phases: { phase: string; ms: number }[];
  /** Statements the rebuild sent, by kind (one connection). */
  statements: Record<string, number>;
  caughtUp: number;
  machineCpuBusyPercent: number | null;
  nodeCpuPercentOfOneCore: number;
  /** Heap in use after the rebuild, and the most seen while it ran (sampled every 100 ms). */
  heapUsedMbAfter: number;
  heapUsedMbPeak: number;
  /** EXPLAIN (ANALYZE, BUFFERS) of the rebuild's read of one page (10,000 events). */
  replayPlan: string[];
  verify?: { elapsedMs: number; eventsPerSecond: number; differences: number };
};

/** Which kind of statement of rebuildProjections this is, from its text. */
function rebuildStatement(text: string): string {
  if (/^select global_position, .* from events where global_position >/i.test(text)) return "read a page of events";
  const copy = /^copy \S*?"?(\w+)_rebuild"? /i.exec(text);
  if (copy) return `copy into ${copy[1]}_rebuild`;
  if (/^select 1$/i.test(text)) return "check a COPY finished";
  if (/^(create (unique )?index|alter table .* add constraint)/i.test(text)) return "create an index or constraint";
  if (/^(alter (table|index) .* rename|drop table|lock table|grant|revoke|comment)/i.test(text)) return "swap";
  return "other (catalog, snapshot, catch-up)";
}

async function runRebuild(url: string, data: LargeDataset): Promise<RebuildRun> {
  let verify: RebuildRun["verify"];
  if (LARGE_VERIFY) {
    // Verify first: it proves the bulk-built rows are exactly what a replay produces.
    const handle = await openDatabase({ kind: "postgres", url, poolMax: 1 });
    try {
      const report = await verifyProjections(handle.db);
      verify = {
        elapsedMs: round(report.elapsedMs, 0),
        eventsPerSecond: round(report.events / (report.elapsedMs / 1000), 0),
        differences: report.differences.length,
      };
      log(`  verify: ${report.events.toLocaleString("en")} events in ${(report.elapsedMs / 1000).toFixed(1)} s, ${report.differences.length} differences`);
      if (report.differences.length > 0) {
        throw new Error(`The bulk-built projection rows differ from a replay: ${JSON.stringify(report.differences.slice(0, 3))}`);
      }
    } finally {
      await handle.close();
    }
  }
  // The rebuild's read of one page, planned as it is sent.
  const replayPlan = await explainCaptured(url, "pg_visible_in_snapshot(transaction_id, $3", (db) =>
    db.transaction(async (tx) => {
      const bulk = bulkSql(tx);
      await readPage(bulk, await currentSnapshot(bulk), 0n, 10_000);
    }),
  );
  const statements: Record<string, number> = {};
  const client = postgres(url, {
    max: 1,
    onnotice: () => {},
    debug: (_connection, query) => {
      const kind = rebuildStatement(query.replace(/\s+/g, " ").trim());
      statements[kind] = (statements[kind] ?? 0) + 1;
    },
  });
  let heapPeak = 0;
  const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 100);
  try {
    const from = cpuMark();
    const report = await rebuildProjections(drizzleOver(client));
    const cpu = cpuBetween(from, cpuMark());
    if (report.events !== data.events || report.rows.statement_entries !== data.rows.statementEntries || report.rows.audit_log !== data.rows.auditLog) {
      throw new Error(`Rebuild replayed ${report.events} events into ${JSON.stringify(report.rows)}; the data set has ${JSON.stringify(data.rows)}`);
    }
    const eventsPerSecond = round(report.events / (report.elapsedMs / 1000), 0);
    log(`  rebuild: ${report.events.toLocaleString("en")} events in ${(report.elapsedMs / 1000).toFixed(1)} s (${eventsPerSecond.toLocaleString("en")} events/s)`);
    return {
      events: report.events,
      rows: report.rows,
      elapsedMs: round(report.elapsedMs, 0),
      eventsPerSecond,
      met: eventsPerSecond >= TARGET_REBUILD_EVENTS_PER_SECOND,
      phases: report.phases,
      statements,
      caughtUp: report.caughtUp,
      ...cpu,
      heapUsedMbAfter: round(process.memoryUsage().heapUsed / 1_048_576, 0),
      heapUsedMbPeak: round(heapPeak / 1_048_576, 0),
      replayPlan,
      verify,
    };
  } finally {
    clearInterval(sampler);
    await client.end({ timeout: 5 });
  }
}

type LargeReport = { dataset: Omit<LargeDataset, "smallAccountIds">; statements: StatementRun[]; rebuild: RebuildRun };

/** Parts 3 and 4 in a scratch database of their own (dropped by the caller, also on failure). */
async function runLarge(scratch: Scratch): Promise<LargeReport> {
  const migrator = await openDatabase({ kind: "postgres", url: scratch.url, poolMax: 1 });
  try {
    await migrateDatabase(migrator, { url: scratch.url });
  } finally {
    await migrator.close();
  }
  const data = await buildLargeDataset(scratch.url, LARGE_EVENTS);
  log(
    `  built ${data.events.toLocaleString("en")} events in ${data.accounts.toLocaleString("en")} accounts ` +
      `(${data.rows.statementEntries.toLocaleString("en")} statement entries) in ${(data.buildMs / 1000).toFixed(1)} s`,
  );
  log(`\n[3/4] Statement pages (readStatementPage, ${STATEMENT_PAGE_SIZE} per page, ${STATEMENT_RUNS} runs per case)`);
  const statements = await runStatementPages(scratch.url, data);
  log(`\n[4/4] Projection rebuild (rebuildProjections${LARGE_VERIFY ? ", after verifyProjections" : ""})`);
  const rebuild = await runRebuild(scratch.url, data);
  const { smallAccountIds: _ids, ...dataset } = data;
  return { dataset, statements, rebuild };
}

// ---------------------------------------------------------------------------------------------
// Report

type Report = {
  deposits: DepositRun[];
  profiles: { randomAccount: StatementProfile; hotAccount: StatementProfile };
  costs: StatementCosts;
  loads: LoadRun[];
  plans: Plan[];
};

function summarize({ deposits, loads }: Pick<Report, "deposits" | "loads">) {
  const maxWorkers = Math.max(...WORKER_COUNTS);
  const run = (scenario: Scenario, workers: number) => deposits.find((d) => d.scenario === scenario && d.workers === workers);
  const hot = run("hot", maxWorkers);
  const random = run("random", maxWorkers);
  const hotOverRandom = hot && random ? round(hot.commandsPerSecond / random.commandsPerSecond, 3) : Number.NaN;
  const smallest = loads.find((l) => l.events === Math.min(...STREAM_SIZES));
  const largest = loads.find((l) => l.events === Math.max(...STREAM_SIZES));
  const ratio = (pick: (l: LoadRun) => number) => (smallest && largest ? round(pick(largest) / pick(smallest), 3) : Number.NaN);
  return {
    hotOverRandom: { workers: maxWorkers, ratio: hotOverRandom, target: TARGET_HOT_OVER_RANDOM, met: hotOverRandom >= TARGET_HOT_OVER_RANDOM },
    loadRatio: {
      largest: largest?.events,
      smallest: smallest?.events,
      ratio: ratio((l) => l.withSnapshot.medianMs),
      target: TARGET_LOAD_RATIO,
      met: ratio((l) => l.withSnapshot.medianMs) <= TARGET_LOAD_RATIO,
      whatIfTwoStatements: ratio((l) => l.whatIfTwoStatements.medianMs),
    },
    errors: deposits.reduce((sum, d) => sum + d.errors, 0),
  };
}

function printReport(report: Report, summary: ReturnType<typeof summarize>): void {
  const { deposits, profiles, costs, loads, plans } = report;
  const { hotOverRandom, loadRatio } = summary;
  const verdict = (met: boolean) => (met ? "met" : "MISSED");

  log(`\n=== Deposits through depositMoney (${DURATION_MS / 1000} s per run after ${WARMUP_MS / 1000} s warm-up) ===\n`);
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
  log(`machine CPU: all ${os.cpus().length} cores, every process (/proc/stat); Node CPU: this process, % of one core.`);
  const firstErrors = deposits.filter((d) => d.firstError);
  for (const d of firstErrors) log(`first error, ${d.scenario} × ${d.workers}: ${d.firstError}`);
  log(`\nhot / random at ${hotOverRandom.workers} workers: ${hotOverRandom.ratio} (target ≥ ${hotOverRandom.target}: ${verdict(hotOverRandom.met)})`);

  const maxWorkers = hotOverRandom.workers;
  const atMax = (scenario: Scenario) => deposits.find((d) => d.scenario === scenario && d.workers === maxWorkers);
  const waitKeys = [...new Set(deposits.filter((d) => d.workers === maxWorkers).flatMap((d) => Object.keys(d.waits)))].sort();
  const share = (d: DepositRun | undefined, key: string) => {
    const total = d ? Object.values(d.waits).reduce((a, b) => a + b, 0) : 0;
    return d && total ? `${((100 * (d.waits[key] ?? 0)) / total).toFixed(1)}%` : "-";
  };
  log(`\n=== What the ${maxWorkers} backends were doing (pg_stat_activity, sampled every 20 ms) ===\n`);
  log(table(["backend state / wait event", "random", "hot"], waitKeys.map((key) => [key, share(atMax("random"), key), share(atMax("hot"), key)])));

  log(`\n=== One deposit, statement by statement (one connection, 200 in a row) ===`);
  log(`count per command × median ms from sending it to sending the next (Postgres + round trips + Node)\n`);
  const keys = [...new Set([...profiles.randomAccount.statements, ...profiles.hotAccount.statements].map((s) => s.text))];
  const cell = (profile: StatementProfile, key: string) => {
    const found = profile.statements.find((s) => s.text === key);
    return found ? `${found.perCommand} × ${found.medianMsUntilNext.toFixed(3)}` : "-";
  };
  log(
    table(
      ["statement (first 70 characters)", "random account", "hot account"],
      [
        ["(before the first statement: validation)", profiles.randomAccount.medianMsBeforeFirstStatement.toFixed(3), profiles.hotAccount.medianMsBeforeFirstStatement.toFixed(3)],
        ...keys.map((key) => [key, cell(profiles.randomAccount, key), cell(profiles.hotAccount, key)]),
        ["statements per command", profiles.randomAccount.statementsPerCommand, profiles.hotAccount.statementsPerCommand],
        ["median ms per command", profiles.randomAccount.medianMsPerCommand, profiles.hotAccount.medianMsPerCommand],
      ],
    ),
  );
  const hot = atMax("hot");
  if (hot) {
    log(
      `\nThe stream row stays locked from the FOR UPDATE to the commit: every statement but \`begin\`. ` +
        `At ${maxWorkers} workers the hot account completed one command per ${round(1000 / hot.commandsPerSecond, 2)} ms.`,
    );
  }

  log(`\n=== One trivial statement inside a transaction, idle pool ===\n`);
  log(
    table(
      ["path", "p50 ms", "p99 ms"],
      [
        ["Drizzle, no parameter (simple protocol)", costs.drizzleNoParameter.p50Ms, costs.drizzleNoParameter.p99Ms],
        ["Drizzle, one parameter (unnamed: parse/describe, then bind/execute)", costs.drizzleOneParameter.p50Ms, costs.drizzleOneParameter.p99Ms],
        ["postgres.js prepared statement (bind/execute)", costs.postgresJsPrepared.p50Ms, costs.postgresJsPrepared.p99Ms],
      ],
    ),
  );

  log(`\n=== Aggregate load (loadAggregate, median ms per load) ===\n`);
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
        l.whatIfTwoStatements.medianMs,
      ]),
    ),
  );
  log(`"what-if": not lib code; the snapshot and the events after it read by two statements (bench/diagnostics.ts).`);
  for (const plan of plans) {
    log(`\nEXPLAIN ANALYZE of the load statement, ${plan.stream}, plan_cache_mode=${plan.planCacheMode}:`);
    log(plan.lines.map((line) => `    ${line}`).join("\n"));
  }
  log(
    `\nload ${loadRatio.largest?.toLocaleString("en")} / ${loadRatio.smallest?.toLocaleString("en")} events with snapshots: ` +
      `${loadRatio.ratio} (target ≤ ${loadRatio.target}: ${verdict(loadRatio.met)}); what-if two statements: ${loadRatio.whatIfTwoStatements}`,
  );
}

function printLargeReport({ dataset, statements, rebuild }: LargeReport): void {
  const verdict = (met: boolean) => (met ? "met" : "MISSED");
  log(
    `\n=== Statement pages with ${dataset.events.toLocaleString("en")} events stored ` +
      `(readStatementPage, ${STATEMENT_PAGE_SIZE} per page, ${STATEMENT_RUNS} runs per case after 20 untimed) ===\n`,
  );
  log(
    `${dataset.accounts.toLocaleString("en")} accounts; long streams of ` +
      `${dataset.longStreams.map((s) => `${s.events.toLocaleString("en")} events (${s.entries.toLocaleString("en")} entries)`).join(", ")}; ` +
      `statement_entries ${dataset.rows.statementEntries.toLocaleString("en")} rows, audit_log ${dataset.rows.auditLog.toLocaleString("en")}; ` +
      `recorded ${dataset.firstRecordedAt.slice(0, 10)} to ${dataset.lastRecordedAt.slice(0, 10)}; built in ${(dataset.buildMs / 1000).toFixed(1)} s.\n`,
  );
  log(
    table(
      ["case", "rows/page", "p50 ms", "p95 ms", "max ms", `p95 < ${TARGET_STATEMENT_P95_MS} ms`],
      statements.map((s) => [s.name, s.rowsPerPage, s.p50Ms, s.p95Ms, s.maxMs, verdict(s.met)]),
    ),
  );
  // The plan's first line names the access path; the whole plan is printed for a case that missed.
  log(`\nPlans (EXPLAIN (ANALYZE, BUFFERS) of the statement as sent, custom plan; all in the JSON file):`);
  for (const s of statements) {
    const execution = s.plan.find((line) => line.startsWith("Execution Time")) ?? "";
    const access = s.plan.find((line) => /Scan/.test(line))?.trim().replace(/^->\s*/, "") ?? s.plan[0] ?? "";
    log(`  ${s.name}: ${access}; ${execution}`);
  }
  for (const s of statements.filter((x) => !x.met)) {
    log(`\nEXPLAIN ANALYZE, ${s.name} (p95 ${s.p95Ms} ms):`);
    log(s.plan.map((line) => `    ${line}`).join("\n"));
  }

  log(`\n=== Projection rebuild over ${rebuild.events.toLocaleString("en")} events (rebuildProjections, one transaction, one connection) ===\n`);
  const total = rebuild.phases.reduce((sum, p) => sum + p.ms, 0);
  log(table(["phase", "s", "share"], rebuild.phases.map((p) => [p.phase, (p.ms / 1000).toFixed(2), `${((100 * p.ms) / total).toFixed(1)}%`])));
  log(`\nstatements: ${Object.entries(rebuild.statements).map(([kind, n]) => `${kind} ${n}`).join(", ")}`);
  log(
    `\nrebuild: ${(rebuild.elapsedMs / 1000).toFixed(1)} s, ${rebuild.eventsPerSecond.toLocaleString("en")} events/s ` +
      `(target ≥ ${TARGET_REBUILD_EVENTS_PER_SECOND.toLocaleString("en")}: ${verdict(rebuild.met)}); ` +
      `machine CPU ${rebuild.machineCpuBusyPercent ?? "-"}%, Node CPU ${rebuild.nodeCpuPercentOfOneCore}% of one core, ` +
      `heap ${rebuild.heapUsedMbPeak} MB at most, ${rebuild.heapUsedMbAfter} MB after`,
  );
  log(`\nEXPLAIN ANALYZE of the rebuild's read (first page of 10,000 events):`);
  log(rebuild.replayPlan.map((line) => `    ${line}`).join("\n"));
  if (rebuild.verify) {
    log(
      `verify (before the rebuild, on the bulk-built rows): ${(rebuild.verify.elapsedMs / 1000).toFixed(1)} s, ` +
        `${rebuild.verify.eventsPerSecond.toLocaleString("en")} events/s, ${rebuild.verify.differences} differences`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Main

async function serverSettings(url: string) {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await client<{ version: string; synchronous_commit: string; fsync: string; shared_buffers: string }[]>`
      select current_setting('server_version') as version,
             current_setting('synchronous_commit') as synchronous_commit,
             current_setting('fsync') as fsync,
             current_setting('shared_buffers') as shared_buffers`;
    return row;
  } finally {
    await client.end({ timeout: 5 });
  }
}

async function bench(scratch: Scratch, startedAt: Date, newScratch: () => Promise<Scratch>): Promise<number> {
  const loadAverageAtStart = os.loadavg();
  const migrator = await openDatabase({ kind: "postgres", url: scratch.url, poolMax: 1 });
  try {
    await migrateDatabase(migrator, { url: scratch.url });
  } finally {
    await migrator.close();
  }
  const server = await serverSettings(scratch.url);
  log(
    `Server: PostgreSQL ${server?.version}, synchronous_commit=${server?.synchronous_commit}, ` +
      `fsync=${server?.fsync}, shared_buffers=${server?.shared_buffers}`,
  );

  log(`\n[1/4] Deposits (snapshotEvery=${SETTINGS.snapshotEvery}), ${WARMUP_MS} ms warm-up + ${DURATION_MS} ms per run`);
  let t0 = performance.now();
  const accounts = await openAccounts(scratch, ACCOUNT_COUNT);
  const [hotAccount] = await openAccounts(scratch, 1);
  if (!hotAccount) throw new Error("Could not open the hot account");
  log(`  opened ${accounts.length} accounts and 1 hot account in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const pickers: Record<Scenario, () => string> = {
    random: () => accounts[Math.floor(Math.random() * accounts.length)] as string,
    hot: () => hotAccount,
  };
  const deposits: DepositRun[] = [];
  for (const workers of WORKER_COUNTS) {
    for (const scenario of ["random", "hot"] as const) {
      const run = await runDeposits(scratch, scenario, workers, pickers[scenario]);
      deposits.push(run);
      log(
        `  ${scenario.padEnd(6)} × ${String(workers).padStart(2)} workers: ${run.commandsPerSecond} cmd/s, ` +
          `p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, errors ${run.errors}`,
      );
    }
  }

  const plans: Plan[] = [];
  const probe = await openDatabase({ kind: "postgres", url: scratch.url, poolMax: 1 });
  const hotLoaded = await loadAggregate(probe.db, {
    streamId: accountStreamId(hotAccount),
    decider: accountDecider,
    codec: accountEventCodec,
    snapshot: WITH_SNAPSHOTS,
  }).finally(() => probe.close());
  const hotLabel = `hot account after part 1 (${hotLoaded.version} events, ${hotLoaded.eventsReplayed} after its snapshot)`;
  plans.push(...(await explainLoad(scratch, accountStreamId(hotAccount), WITH_SNAPSHOTS, hotLabel, ["force_custom_plan"])));
  const costs = await statementCosts(scratch);
  const profiles = {
    randomAccount: await profileDeposits(scratch, SETTINGS, accounts[0] as string, 200),
    hotAccount: await profileDeposits(scratch, SETTINGS, hotAccount, 200),
  };

  log(`\n[2/4] Aggregate load time (loadAggregate)`);
  t0 = performance.now();
  const loads = await runLoads(scratch, plans);
  log(`  part 2 took ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  let large: LargeReport | undefined;
  if (LARGE_EVENTS > 0) {
    log(`\n[3/4 and 4/4] A database of ${LARGE_EVENTS.toLocaleString("en")} account events`);
    t0 = performance.now();
    const largeScratch = await newScratch();
    log(`  scratch database: ${largeScratch.name}`);
    try {
      large = await runLarge(largeScratch);
    } finally {
      await largeScratch.drop();
    }
    log(`  parts 3 and 4 took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  const report: Report = { deposits, profiles, costs, loads, plans };
  const summary = summarize(report);
  printReport(report, summary);
  if (large) printLargeReport(large);

  const finishedAt = new Date();
  const results = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      loadAverageAtStart,
      loadAverageAtEnd: os.loadavg(),
      node: process.version,
    },
    postgres: { target: redactUrl(ADMIN_URL), ...server },
    config: { durationMs: DURATION_MS, warmupMs: WARMUP_MS, accounts: ACCOUNT_COUNT, workers: WORKER_COUNTS, streamSizes: STREAM_SIZES, ...SETTINGS, maxAmount: String(SETTINGS.maxAmount) },
    ...summary,
    deposits,
    statementProfiles: profiles,
    statementCosts: costs,
    loads,
    loadPlans: plans,
    ...(large
      ? {
          large: {
            config: { events: LARGE_EVENTS, longStreamShares: LONG_STREAM_SHARES, spanDays: LARGE_SPAN_DAYS, pageSize: STATEMENT_PAGE_SIZE, runsPerCase: STATEMENT_RUNS },
            targets: { statementP95Ms: TARGET_STATEMENT_P95_MS, rebuildEventsPerSecond: TARGET_REBUILD_EVENTS_PER_SECOND },
            ...large,
          },
        }
      : {}),
  };
  const dir = path.join(process.cwd(), "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `store-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`\nFigures written to ${path.relative(process.cwd(), file)} (run took ${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s)`);

  if (summary.errors > 0) {
    log(`\n${summary.errors} command(s) failed: a benchmark run must have none.`);
    return 1;
  }
  return 0;
}

async function main(): Promise<number> {
  // A JSON log line per command would cost the figures time and flood the tables; LOG_LEVEL overrides.
  process.env.LOG_LEVEL ??= "warn";
  const startedAt = new Date();
  log(`Ledgerline event-store benchmark, ${startedAt.toISOString()}`);
  log(
    `Postgres ${redactUrl(ADMIN_URL)}; ${os.cpus().length} CPU(s), load average ` +
      `${os.loadavg().map((l) => l.toFixed(2)).join(" ")} (other work on this machine moves the figures)`,
  );
  const scratch = await createScratchDatabase(ADMIN_URL);
  log(`Scratch database: ${scratch.name}`);
  // Every scratch database made (parts 3 and 4 get their own), so any exit path drops them all.
  const scratches: Scratch[] = [scratch];
  const newScratch = async () => {
    const made = await createScratchDatabase(ADMIN_URL);
    scratches.push(made);
    return made;
  };
  const dropAll = () =>
    Promise.all(scratches.map((s) => s.drop().then(() => log(`Dropped ${s.name}.`), (error: unknown) => log(`Could not drop ${s.name}: ${String(error)}`))));

  let aborting = false;
  const abort = (why: string) => {
    // A signal can arrive twice (from the terminal and relayed by npm/tsx): clean up once.
    if (aborting) return;
    aborting = true;
    log(`\n${why}: dropping the scratch database(s) and exiting.`);
    void dropAll().finally(() => process.exit(2));
  };
  process.on("SIGINT", () => abort("Interrupted"));
  process.on("SIGTERM", () => abort("Terminated"));
  const watchdog = setTimeout(() => abort(`Timed out after ${TIMEOUT_MS} ms`), TIMEOUT_MS);
  watchdog.unref();

  try {
    return await bench(scratch, startedAt, newScratch);
  } finally {
    clearTimeout(watchdog);
    await dropAll();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
