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
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

import postgres from "postgres";

import { openDatabase, redactUrl } from "../lib/db/client";
import { migrateDatabase } from "../lib/db/migrate";
import { accountEventCodec } from "../lib/domain/account/codec";
import { accountDecider, accountStreamId } from "../lib/domain/account/decider";
import { loadAggregate } from "../lib/event-store/load";
import { explainLoad, profileDeposits, statementCosts, type Plan } from "./diagnostics";
import { DepositRun, openAccounts, runDeposits, Scenario } from "./store/deposits";
import { LargeReport, runLarge } from "./store/large";
import { runLoads } from "./store/loads";
import { printLargeReport, printReport, Report, summarize } from "./store/report";
import {
  ACCOUNT_COUNT,
  ADMIN_URL,
  DURATION_MS,
  LARGE_EVENTS,
  LARGE_SPAN_DAYS,
  LONG_STREAM_SHARES,
  SETTINGS,
  STATEMENT_PAGE_SIZE,
  STATEMENT_RUNS,
  STREAM_SIZES,
  TARGET_REBUILD_EVENTS_PER_SECOND,
  TARGET_STATEMENT_P95_MS,
  TIMEOUT_MS,
  WARMUP_MS,
  WITH_SNAPSHOTS,
  WORKER_COUNTS,
} from "./store/settings";
import { createScratchDatabase, log, type Scratch } from "./support";

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
    config: {
      durationMs: DURATION_MS,
      warmupMs: WARMUP_MS,
      accounts: ACCOUNT_COUNT,
      workers: WORKER_COUNTS,
      streamSizes: STREAM_SIZES,
      ...SETTINGS,
      maxAmount: String(SETTINGS.maxAmount),
    },
    ...summary,
    deposits,
    statementProfiles: profiles,
    statementCosts: costs,
    loads,
    loadPlans: plans,
    ...(large
      ? {
          large: {
            config: {
              events: LARGE_EVENTS,
              longStreamShares: LONG_STREAM_SHARES,
              spanDays: LARGE_SPAN_DAYS,
              pageSize: STATEMENT_PAGE_SIZE,
              runsPerCase: STATEMENT_RUNS,
            },
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
      `${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} (other work on this machine moves the figures)`,
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
    Promise.all(
      scratches.map((s) =>
        s.drop().then(
          () => log(`Dropped ${s.name}.`),
          (error: unknown) => log(`Could not drop ${s.name}: ${String(error)}`),
        ),
      ),
    );

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
