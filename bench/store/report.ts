import os from "node:os";

import { type Plan, type StatementCosts, type StatementProfile } from "../diagnostics";
import { log, round, table } from "../support";
import { DepositRun, Scenario } from "./deposits";
import { LargeReport } from "./large";
import { LoadRun } from "./loads";
import {
  ACCOUNT_COUNT,
  DURATION_MS,
  STATEMENT_PAGE_SIZE,
  STATEMENT_RUNS,
  STREAM_SIZES,
  TARGET_HOT_OVER_RANDOM,
  TARGET_LOAD_RATIO,
  TARGET_REBUILD_EVENTS_PER_SECOND,
  TARGET_STATEMENT_P95_MS,
  WARMUP_MS,
  WORKER_COUNTS,
} from "./settings";

// ---------------------------------------------------------------------------------------------
// Report

export type Report = {
  deposits: DepositRun[];
  profiles: { randomAccount: StatementProfile; hotAccount: StatementProfile };
  costs: StatementCosts;
  loads: LoadRun[];
  plans: Plan[];
};

export function summarize({ deposits, loads }: Pick<Report, "deposits" | "loads">) {
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

export function printReport(report: Report, summary: ReturnType<typeof summarize>): void {
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
  log(
    table(
      ["backend state / wait event", "random", "hot"],
      waitKeys.map((key) => [key, share(atMax("random"), key), share(atMax("hot"), key)]),
    ),
  );

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
        [
          "(before the first statement: validation)",
          profiles.randomAccount.medianMsBeforeFirstStatement.toFixed(3),
          profiles.hotAccount.medianMsBeforeFirstStatement.toFixed(3),
        ],
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

export function printLargeReport({ dataset, statements, rebuild }: LargeReport): void {
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
    const access =
      s.plan
        .find((line) => /Scan/.test(line))
        ?.trim()
        .replace(/^->\s*/, "") ??
      s.plan[0] ??
      "";
    log(`  ${s.name}: ${access}; ${execution}`);
  }
  for (const s of statements.filter((x) => !x.met)) {
    log(`\nEXPLAIN ANALYZE, ${s.name} (p95 ${s.p95Ms} ms):`);
    log(s.plan.map((line) => `    ${line}`).join("\n"));
  }

  log(`\n=== Projection rebuild over ${rebuild.events.toLocaleString("en")} events (rebuildProjections, one transaction, one connection) ===\n`);
  const total = rebuild.phases.reduce((sum, p) => sum + p.ms, 0);
  log(
    table(
      ["phase", "s", "share"],
      rebuild.phases.map((p) => [p.phase, (p.ms / 1000).toFixed(2), `${((100 * p.ms) / total).toFixed(1)}%`]),
    ),
  );
  log(
    `\nstatements: ${Object.entries(rebuild.statements)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(", ")}`,
  );
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
