/**
 * Event-store benchmark against a real Postgres: `DATABASE_URL=postgres://… npm run bench:store`.
 *
 * 1. Deposits through the real command path (`depositMoney`: validation, stream lock, load,
 *    decide, append, snapshot when due, inline projections, commit) with 1, 4 and 16 concurrent
 *    workers sharing one pool, on a random account among many and on one hot account.
 * 2. Aggregate load time (`loadAggregate`) for streams of 100, 10,000 and 100,000 events, with
 *    and without snapshots.
 *
 * It works in a scratch database of its own (created, migrated, dropped at the end, also on
 * failure, Ctrl-C or timeout), prints tables, and writes the figures to
 * bench/results/store-<timestamp>.json. See docs/performance.md.
 *
 * Tunables (env): BENCH_DURATION_MS (8000), BENCH_WARMUP_MS (1000), BENCH_ACCOUNTS (1000),
 * BENCH_WORKERS ("1,4,16"), BENCH_STREAM_SIZES ("100,10000,100000"), BENCH_TIMEOUT_MS (600000).
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
import { snapshots } from "../lib/db/schema";
import { ACCOUNT_STATE_SCHEMA_VERSION, accountEventCodec, decodeAccountState } from "../lib/domain/account/codec";
import { ACCOUNT_STREAM_TYPE, accountDecider, accountStreamId } from "../lib/domain/account/decider";
import type { AccountEvent } from "../lib/domain/account/events";
import type { AccountState } from "../lib/domain/account/state";
import { toJsonValue } from "../lib/domain/shared/json";
import { appendToStream } from "../lib/event-store/append";
import { eventMetadata } from "../lib/event-store/handle-command";
import { loadAggregate, type SnapshotPolicy } from "../lib/event-store/load";
import {
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
  round,
  type Scratch,
  table,
} from "./support";

const ADMIN_URL = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const DURATION_MS = intEnv("BENCH_DURATION_MS", 8_000);
const WARMUP_MS = intEnv("BENCH_WARMUP_MS", 1_000);
const ACCOUNT_COUNT = intEnv("BENCH_ACCOUNTS", 1_000);
const WORKER_COUNTS = listEnv("BENCH_WORKERS", [1, 4, 16]);
const STREAM_SIZES = listEnv("BENCH_STREAM_SIZES", [100, 10_000, 100_000]);
const TIMEOUT_MS = intEnv("BENCH_TIMEOUT_MS", 600_000);

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

async function bench(scratch: Scratch, startedAt: Date): Promise<number> {
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

  log(`\n[1/2] Deposits (snapshotEvery=${SETTINGS.snapshotEvery}), ${WARMUP_MS} ms warm-up + ${DURATION_MS} ms per run`);
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

  log(`\n[2/2] Aggregate load time (loadAggregate)`);
  t0 = performance.now();
  const loads = await runLoads(scratch, plans);
  log(`  part 2 took ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const report: Report = { deposits, profiles, costs, loads, plans };
  const summary = summarize(report);
  printReport(report, summary);

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

  let aborting = false;
  const abort = (why: string) => {
    // A signal can arrive twice (from the terminal and relayed by npm/tsx): clean up once.
    if (aborting) return;
    aborting = true;
    log(`\n${why}: dropping ${scratch.name} and exiting.`);
    void scratch
      .drop()
      .catch((error: unknown) => log(`Could not drop ${scratch.name}: ${String(error)}`))
      .finally(() => process.exit(2));
  };
  process.on("SIGINT", () => abort("Interrupted"));
  process.on("SIGTERM", () => abort("Terminated"));
  const watchdog = setTimeout(() => abort(`Timed out after ${TIMEOUT_MS} ms`), TIMEOUT_MS);
  watchdog.unref();

  try {
    return await bench(scratch, startedAt);
  } finally {
    clearTimeout(watchdog);
    await scratch.drop().catch((error: unknown) => log(`Could not drop ${scratch.name}: ${String(error)}`));
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
