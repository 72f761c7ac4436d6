/**
 * Whole-system benchmark against a real Postgres: `DATABASE_URL=postgres://… npm run bench`.
 *
 * In one run:
 * 1. Baseline: pgbench TPC-B with 16 clients on the same server, in a scratch database of its own,
 *    with the CPU Postgres spent on it (per transaction) and the machine's CPU meanwhile.
 * 2. Two production servers (`next start`, built first if there is no build) on one scratch
 *    database, at the production log level unless BENCH_LOG_LEVEL says otherwise, driven over the
 *    JSON API v1 (bench/load.ts): closed-loop scenarios (random accounts, one hot account, a mixed
 *    workload, transfers) and open-loop ones at fixed rates (`open-<writes per second>`).
 * 3. Per scenario: requests/s, latency per route, counts by status, write throughput as a share of
 *    the pgbench figure, CPU by process group (servers, Postgres, generator, other) and per
 *    request and write, the machine's CPU (user, system, iowait, steal, idle), the servers' log
 *    volume, and with pg_stat_statements the statements and COMMITs per request.
 * 4. Round trips and transactions per API deposit: sequential deposits through a third server
 *    whose connections to Postgres pass a counting proxy (bench/roundtrips.ts).
 * 5. Events out in the events-out scenario (random's writes; bench/events-watch.ts): the servers relay to NATS
 *    JetStream (NATS_URL, default nats://127.0.0.1:4222, on subjects of their own) and deliver to an
 *    admin webhook endpoint on a local receiver while the writes run; relay and webhook events/s,
 *    how long after the writes the last arrived, and the lag (arrival − recorded_at) p50/p95/p99/max.
 * 6. The targets table, and with BENCH_COMPARE_RESULTS a comparison with an earlier run.
 * Figures go to bench/results/http-<timestamp>.json. See docs/performance.md.
 *
 * Tunables (env): BENCH_SECONDS (20 per scenario), BENCH_WARMUP_SECONDS (3), BENCH_CLIENTS (16),
 * BENCH_PGBENCH_SECONDS (20), BENCH_POOL_MAX (DATABASE_POOL_MAX of each server, 8),
 * BENCH_MAX_REQUESTS (per closed-loop scenario, 1,000,000), BENCH_SCENARIOS
 * ("random,events-out,hot,mixed,transfers,open-100,open-300"), BENCH_OPEN_MAX_IN_FLIGHT (256),
 * BENCH_OPEN_GRACE_SECONDS (5), BENCH_ROUND_TRIP_DEPOSITS (200; 0 skips), BENCH_LOG_LEVEL (the servers' LOG_LEVEL; unset: production's
 * default), BENCH_COMPARE_RESULTS (an earlier results file), BENCH_CPU_PROF=1 (write V8 CPU
 * profiles of the servers to bench/results/profiles/), BENCH_EVENTS_OUT=0 (no relay or webhooks),
 * BENCH_PORT (the two servers' ports: it and the next; default a random pair from 3400).
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { openDatabase, redactUrl } from "../lib/db/client";
import { migrateDatabase } from "../lib/db/migrate";
import { LOG_LEVELS } from "../lib/log";
import { eventsOutLines, startEventsOutWatch, type EventsOutWatch } from "./events-watch";
import { pgbenchBaseline } from "./http/baseline";
import { cpuBetween, cpuPerUnit, cpuSample, machineLine } from "./http/cpu-groups";
import { compare, printScenario, printSummary, readEarlier, summarise, type ScenarioResult } from "./http/report";
import { measureRoundTrips, type RoundTrips } from "./http/round-trips";
import { scenarioNamed, transferOutcome } from "./http/scenarios";
import { ensureBuild, logBetween, logMark, logTail, makeLogDir, startServer, stopServer, type Server } from "./http/servers";
import {
  ADMIN_URL,
  BASE_PORT,
  CLIENTS,
  COMPARE_RESULTS,
  EVENTS_OUT,
  LOG_LEVEL,
  MAX_REQUESTS,
  NATS_URL,
  OPEN_GRACE_SECONDS,
  OPEN_MAX_IN_FLIGHT,
  PGBENCH_SECONDS,
  POOL_MAX,
  RESULTS_DIR,
  ROUND_TRIP_DEPOSITS,
  SCENARIOS,
  SECONDS,
  SERVER_COUNT,
  WARMUP_SECONDS,
} from "./http/settings";
import { setUp } from "./http/setup";
import { commitCalls, printStatements, statementStats } from "./http/statements";
import { runLoad, runOpenLoad, type OpenLoopSummary, type TrafficFigures } from "./load";
import { createScratchDatabase, log, round, table, type Scratch } from "./support";

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!ADMIN_URL) {
    log("npm run bench needs a real Postgres: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench");
    process.exitCode = 2;
    return;
  }
  if (LOG_LEVEL && !(LOG_LEVELS as readonly string[]).includes(LOG_LEVEL))
    throw new Error(`BENCH_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, got ${LOG_LEVEL}`);
  const chosen = SCENARIOS.map(scenarioNamed); // an unknown name fails before anything runs
  const earlier = COMPARE_RESULTS ? readEarlier(COMPARE_RESULTS) : undefined;
  const startedAt = new Date();
  const logLevel = LOG_LEVEL ? `${LOG_LEVEL} (BENCH_LOG_LEVEL)` : "info (LOG_LEVEL unset: the production default)";
  log(`# Ledgerline HTTP benchmark, ${startedAt.toISOString()}`);
  log(
    `Postgres ${redactUrl(ADMIN_URL)}; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}); ${SERVER_COUNT} servers x pool ${POOL_MAX}; ${CLIENTS} clients; ${SECONDS} s per scenario`,
  );
  log(`servers' log level: ${logLevel}`);

  log(`\nbaseline: pgbench TPC-B, 16 clients, ${PGBENCH_SECONDS} s ...`);
  const baseline = await pgbenchBaseline();
  log(`pgbench: ${baseline.tps} tps (${baseline.transactions} transactions), latency ${baseline.latencyMs} ms (${baseline.version})`);
  log(
    `CPU (% of one core): postgres ${baseline.cpu.percentOfOneCore.postgres} (+ ${baseline.cpu.percentOfOneCore.postgresOtherDatabases} other databases'), ` +
      `pgbench ${baseline.cpu.percentOfOneCore.benchChildren}, other work ${baseline.cpu.percentOfOneCore.other}; ` +
      `per transaction: postgres ${baseline.postgresCpuPerTransactionMs} ms, pgbench ${baseline.pgbenchCpuPerTransactionMs} ms`,
  );
  log(machineLine(baseline.cpu.machine, baseline.cpu.cores));

  ensureBuild();
  const logDir = makeLogDir();
  let scratch: Scratch | undefined;
  const servers: Server[] = [];
  const results: Record<string, ScenarioResult> = {};
  let serverFailed = false;
  let roundTrips: RoundTrips | undefined;
  let watch: EventsOutWatch | undefined;
  try {
    if (EVENTS_OUT) {
      watch = await startEventsOutWatch(NATS_URL, 1_000).catch((error: unknown) => {
        log(
          `events out not measured: NATS at ${NATS_URL} is not usable (${error instanceof Error ? error.message : String(error)}); BENCH_EVENTS_OUT=0 skips it`,
        );
        return undefined;
      });
    }
    scratch = await createScratchDatabase(ADMIN_URL);
    // Migrate once here, so the two servers do not race to do it.
    const handle = await openDatabase({ kind: "postgres", url: scratch.url, poolMax: 1 });
    await migrateDatabase(handle, { url: scratch.url });
    await handle.close();
    for (let i = 0; i < SERVER_COUNT; i++) servers.push(await startServer(scratch.url, BASE_PORT + i, watch?.serverEnv ?? {}));
    log(`servers: ${servers.map((s) => s.url.origin).join(", ")}`);
    const { customers, accounts } = await setUp(servers);
    log(`set up ${customers.length} customers and ${accounts.length} funded accounts`);
    const urls = servers.map((s) => s.url);
    const serverPids = servers.map((s) => s.process.pid as number);

    for (const scenario of chosen) {
      let measure: () => Promise<TrafficFigures>;
      let openSummary: OpenLoopSummary | undefined;
      // Every event from the warm-up on goes to the webhook endpoint, so the measured window starts with deliveries flowing.
      const watchHere = scenario.name === "events-out" ? watch : undefined;
      if (scenario.name === "events-out" && !watchHere) {
        log(`\n## events-out: not run (${EVENTS_OUT ? "NATS is not usable" : "BENCH_EVENTS_OUT=0"})`);
        continue;
      }
      await watchHere?.register(scratch.url);
      // Warm up first: JIT, route modules loaded, connections opened.
      if (scenario.kind === "closed") {
        const next = scenario.next(accounts, customers);
        await runLoad({ servers: urls, clients: CLIENTS, seconds: WARMUP_SECONDS, maxRequests: MAX_REQUESTS, next });
        measure = () => runLoad({ servers: urls, clients: CLIENTS, seconds: SECONDS, maxRequests: MAX_REQUESTS, next });
      } else {
        const next = scenario.next(accounts);
        const open = (seconds: number, graceSeconds: number) =>
          runOpenLoad({ servers: urls, ratePerSecond: scenario.ratePerSecond, seconds, maxInFlight: OPEN_MAX_IN_FLIGHT, graceSeconds, next });
        await open(WARMUP_SECONDS, 0);
        measure = async () => {
          const { open: summary, ...figures } = await open(SECONDS, OPEN_GRACE_SECONDS);
          openSummary = summary;
          return figures;
        };
      }
      if (scenario.name === "transfers") await transferOutcome(scratch.url);
      await statementStats(scratch.url, "reset");
      const logBefore = logMark(servers);
      const before = cpuSample();
      const measuredFrom = new Date();
      const figures = await measure();
      const measuredTo = new Date();
      const cpu = cpuBetween(before, cpuSample(), serverPids, scratch.name);
      const serverLog = logBetween(logBefore);
      const statements = await statementStats(scratch.url, "read");
      const perRequest = (value: number) => (figures.requests > 0 ? round(value / figures.requests, 1) : null);
      const result: ScenarioResult = {
        kind: scenario.kind,
        description: scenario.description,
        ...figures,
        writesToPgbench: round(figures.writesPerSecond / baseline.tps, 3),
        cpu,
        ...cpuPerUnit(cpu, figures, baseline),
        serverLog: { ...serverLog, linesPerRequest: perRequest(serverLog.lines), bytesPerRequest: perRequest(serverLog.bytes) },
        statementsPerRequest: statements ? round(statements.reduce((n, st) => n + st.calls, 0) / Math.max(1, figures.requests), 1) : null,
        commitsPerWrite: statements && figures.writes > 0 ? round(commitCalls(statements) / figures.writes, 2) : null,
        topStatements: statements?.slice(0, 10) ?? null,
      };
      if (openSummary) result.open = openSummary;
      printScenario(scenario.name, result, baseline);
      if (watchHere) {
        result.eventsOut = await watchHere.measure(scratch.url, measuredFrom, measuredTo);
        for (const line of eventsOutLines(result.eventsOut)) log(line);
      }
      printStatements(statements, figures.requests, figures.writes);
      if (scenario.name === "transfers") {
        result.transfers = await transferOutcome(scratch.url);
        log(
          `transfers after the run: ${JSON.stringify(result.transfers.byStatus)}; all finished ${result.transfers.drainSeconds} s after the load stopped`,
        );
      }
      results[scenario.name] = result;
    }
    if (ROUND_TRIP_DEPOSITS > 0) {
      roundTrips = await measureRoundTrips(scratch.url, accounts);
      log(
        `\n## round trips to Postgres per API deposit\n${roundTrips.perDeposit ?? "n/a"} (${roundTrips.flights} flights for ${roundTrips.deposits} deposits one at a time through a counting proxy, ` +
          `statuses ${JSON.stringify(roundTrips.statuses)}; ${roundTrips.connectionsOpened} connections opened meanwhile; ${roundTrips.idleFlights} flights in 2 s idle before)`,
      );
      const t = roundTrips.transactionsPerDeposit;
      log(
        t
          ? `transactions per deposit on the wire: ${t.explicitCommits} explicit COMMIT, ${t.autocommits} autocommitted statements, ${t.writeCommits} committed transactions that wrote (a WAL flush each), ${t.rollbacks} rolled back`
          : "transactions per deposit: not readable (the connection to Postgres is encrypted)",
      );
    }
  } finally {
    await watch?.close().catch(() => undefined);
    await Promise.all(servers.map(stopServer));
    const failed = servers.find((s) => s.process.exitCode !== null && s.process.exitCode !== 0 && s.process.exitCode !== 130);
    if (failed) {
      serverFailed = true;
      log(`a server ended badly (its log: ${failed.logFile}):\n${logTail(failed.logFile)}`);
    }
    await scratch?.drop();
    if (!serverFailed) rmSync(logDir, { recursive: true, force: true });
  }

  printSummary(results, baseline);
  const comparison = earlier ? compare(earlier, results) : undefined;
  if (comparison) {
    log(
      `\n## Compared with ${comparison.file} (${comparison.startedAt})\nrandom writes/s (now: ${comparison.scenarioNow}, the same work as then): now ${comparison.randomNow ?? "n/a"}, then ${comparison.randomThen ?? "n/a"}, ratio ${comparison.ratio ?? "n/a"} ` +
        `(pgbench now ${baseline.tps}, then ${comparison.pgbenchThen ?? "n/a"}: the machine's own change)`,
    );
  }
  const summary = summarise(results, baseline, comparison, roundTrips);
  log(
    `\n## Targets\n${table(
      ["target", "goal", "reached", "met"],
      summary.map((t) => [t.target, t.goal, t.reached, t.met === null ? "n/a" : t.met ? "yes" : "no"]),
    )}`,
  );
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `http-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        startedAt,
        machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
        settings: {
          SECONDS,
          WARMUP_SECONDS,
          CLIENTS,
          POOL_MAX,
          SERVER_COUNT,
          SCENARIOS,
          OPEN_MAX_IN_FLIGHT,
          OPEN_GRACE_SECONDS,
          LOG_LEVEL: LOG_LEVEL ?? null,
          logLevel,
        },
        baseline,
        scenarios: results,
        roundTrips: roundTrips ?? null,
        comparison: comparison ?? null,
        targets: summary,
      },
      null,
      2,
    )}\n`,
  );
  log(`\nfigures written to ${path.relative(process.cwd(), file)}`);
}

const timer = setTimeout(() => {
  log("bench: timed out after 20 minutes");
  process.exit(1);
}, 20 * 60_000);
timer.unref();

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => clearTimeout(timer));
