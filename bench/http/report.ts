import { readFileSync } from "node:fs";

import { type MachineShares } from "../cpu";
import { type EventsOutFigures } from "../events-watch";
import { type OpenLoopSummary, type TrafficFigures } from "../load";
import { log, round, table } from "../support";
import { type Baseline } from "./baseline";
import { machineLine, type CpuFigures } from "./cpu-groups";
import { type RoundTrips } from "./round-trips";
import { type LogFigures } from "./servers";
import { OPEN_GRACE_SECONDS } from "./settings";
import { type StatementFigures } from "./statements";

// ---------------------------------------------------------------------------------------------
// Output

export type ScenarioResult = TrafficFigures & {
  kind: "closed" | "open";
  description: string;
  writesToPgbench: number;
  cpu: CpuFigures;
  perRequestMs: { servers: number | null; postgres: number | null; generator: number | null };
  perWriteMs: { servers: number | null; postgres: number | null; generator: number | null };
  postgresPerWriteToPgbench: number | null;
  serverLog: LogFigures & { linesPerRequest: number | null; bytesPerRequest: number | null };
  statementsPerRequest: number | null;
  commitsPerWrite: number | null;
  topStatements: StatementFigures | null;
  open?: OpenLoopSummary;
  eventsOut?: EventsOutFigures;
  transfers?: { byStatus: Record<string, number>; drainSeconds: number };
};

const statusText = (statuses: Record<string, number>) =>
  Object.entries(statuses)
    .map(([s, n]) => `${s}:${n}`)
    .join(" ") || "-";
const ms = (value: number | null) => (value === null ? "n/a" : String(value));

export function printScenario(name: string, result: ScenarioResult, baseline: Baseline): void {
  const { cpu } = result;
  log(`\n## ${name}: ${result.description}`);
  if (result.open) {
    const o = result.open;
    log(
      `open loop: ${o.scheduled} requests scheduled at ${o.ratePerSecond}/s, ${o.sent} sent, ${o.unsent} never sent (bound ${o.maxInFlight} in flight, ` +
        `${OPEN_GRACE_SECONDS} s grace); ${o.waitedForSlot} waited for a slot, ${o.sentLate} sent > 10 ms late (max ${o.maxSendLagMs} ms), peak ${o.peakInFlight} in flight; ` +
        `latency from the scheduled start`,
    );
  }
  log(
    `${result.requestsPerSecond} requests/s, ${result.writesPerSecond} writes/s = ${result.writesToPgbench} x pgbench; ` +
      `statuses ${JSON.stringify(result.statuses)}; transport errors ${result.transportErrors}; ` +
      `p50 / p95 / p99 / max ${result.latency.p50Ms} / ${result.latency.p95Ms} / ${result.latency.p99Ms} / ${result.latency.maxMs} ms`,
  );
  log(
    `CPU (% of one core): servers ${cpu.percentOfOneCore.servers} (kernel ${cpu.serversKernelPercent}), postgres ${cpu.percentOfOneCore.postgres}` +
      ` (+ ${cpu.percentOfOneCore.postgresOtherDatabases} other databases'), generator ${cpu.percentOfOneCore.generator}, other work ${cpu.percentOfOneCore.other}`,
  );
  log(machineLine(cpu.machine, cpu.cores));
  log(
    `CPU ms per request: servers ${ms(result.perRequestMs.servers)}, postgres ${ms(result.perRequestMs.postgres)}, generator ${ms(result.perRequestMs.generator)}; ` +
      `per write: servers ${ms(result.perWriteMs.servers)}, postgres ${ms(result.perWriteMs.postgres)} ` +
      `(= ${ms(result.postgresPerWriteToPgbench)} x pgbench's ${baseline.postgresCpuPerTransactionMs} per TPC-B transaction), generator ${ms(result.perWriteMs.generator)}`,
  );
  log(
    `server log: ${result.serverLog.lines} lines, ${result.serverLog.bytes} bytes (${ms(result.serverLog.linesPerRequest)} lines, ${ms(result.serverLog.bytesPerRequest)} bytes per request); ` +
      `by level ${JSON.stringify(result.serverLog.byLevel)}`,
  );
  for (const line of result.serverLog.firstErrors) log(`  server log: ${line}`);
  log(
    table(
      ["route", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "statuses"],
      Object.entries(result.routes).map(([route, r]) => [route, r.requests, r.perSecond, r.p50Ms, r.p95Ms, r.p99Ms, r.maxMs, statusText(r.statuses)]),
    ),
  );
  for (const error of result.firstErrors) log(`  error: ${error}`);
}

export function printSummary(results: Record<string, ScenarioResult>, baseline: Baseline): void {
  const machine = (m: MachineShares | null) =>
    m ? `${m.userPercent} / ${m.systemPercent} / ${m.iowaitPercent} / ${m.stealPercent} / ${m.idlePercent}` : "n/a";
  const rows: (string | number)[][] = [
    [
      "pgbench TPC-B",
      baseline.tps,
      baseline.tps,
      1,
      `avg ${baseline.latencyMs}`,
      "-",
      "-",
      baseline.postgresCpuPerTransactionMs,
      1,
      baseline.cpu.percentOfOneCore.other,
      machine(baseline.cpu.machine),
    ],
    ...Object.entries(results).map(([name, r]) => [
      name,
      r.requestsPerSecond,
      r.writesPerSecond,
      r.writesToPgbench,
      `${r.latency.p50Ms} / ${r.latency.p99Ms}`,
      statusText(r.statuses) + (r.transportErrors ? ` transport:${r.transportErrors}` : "") + (r.open?.unsent ? ` unsent:${r.open.unsent}` : ""),
      ms(r.perWriteMs.servers),
      ms(r.perWriteMs.postgres),
      ms(r.postgresPerWriteToPgbench),
      r.cpu.percentOfOneCore.other,
      machine(r.cpu.machine),
    ]),
  ];
  log(
    `\n## Summary\n${table(["scenario", "req/s", "writes/s", "x pgbench", "p50 / p99 ms", "statuses", "server CPU ms/write", "Postgres CPU ms/write", "Postgres CPU / pgbench's", "other work % of a core", "machine % user / sys / iowait / steal / idle"], rows)}`,
  );
}

/** `randomDelivered`: that run's random scenario delivered webhooks too (runs before the events-out scenario). */
type Earlier = { file: string; startedAt: string; randomWritesPerSecond: number | null; randomDelivered: boolean; pgbenchTps: number | null };

export function readEarlier(file: string): Earlier {
  const json = JSON.parse(readFileSync(file, "utf8")) as {
    startedAt?: string;
    baseline?: { tps?: number };
    scenarios?: { random?: { writesPerSecond?: number; eventsOut?: unknown } };
  };
  return {
    file,
    startedAt: json.startedAt ?? "?",
    randomWritesPerSecond: json.scenarios?.random?.writesPerSecond ?? null,
    randomDelivered: json.scenarios?.random?.eventsOut !== undefined,
    pgbenchTps: json.baseline?.tps ?? null,
  };
}

export function compare(earlier: Earlier, results: Record<string, ScenarioResult>) {
  // The same work on both sides: against a random that delivered webhooks, this run's events-out.
  const scenarioNow = earlier.randomDelivered ? "events-out" : "random";
  const randomNow = results[scenarioNow]?.writesPerSecond ?? null;
  const randomThen = earlier.randomWritesPerSecond;
  return {
    file: earlier.file,
    startedAt: earlier.startedAt,
    scenarioNow,
    randomNow,
    randomThen,
    ratio: randomNow !== null && randomThen ? round(randomNow / randomThen, 2) : null,
    pgbenchThen: earlier.pgbenchTps,
  };
}

type Target = { target: string; goal: string; reached: string; met: boolean | null };

export function summarise(
  results: Record<string, ScenarioResult>,
  baseline: Baseline,
  comparison: ReturnType<typeof compare> | undefined,
  roundTrips: RoundTrips | undefined,
): Target[] {
  const { random, hot, mixed } = results;
  const open300 = results["open-300"];
  const notRun = (target: string, goal: string, scenario: string): Target => ({ target, goal, reached: `n/a (${scenario} not run)`, met: null });
  const count = (statuses: Record<string, number>, bad: (status: string) => boolean) =>
    Object.entries(statuses)
      .filter(([status]) => bad(status))
      .reduce((n, [, c]) => n + c, 0);
  const targets: Target[] = [];

  // The target counts COMMIT statements (pg_stat_statements); the wire count adds what they miss:
  // statements outside the block commit on their own, each a WAL flush when it wrote.
  const t = roundTrips?.transactionsPerDeposit;
  const wire = t ? `; on the wire, per deposit: ${t.explicitCommits} COMMIT, ${t.writeCommits} committed transactions that wrote` : "";
  let target = "commits per API write (random)";
  if (!random) targets.push({ ...notRun(target, "= 1", "random"), reached: `n/a (random not run)${wire}` });
  else if (random.commitsPerWrite === null) targets.push({ target, goal: "= 1", reached: `n/a (pg_stat_statements not loaded)${wire}`, met: null });
  else
    targets.push({
      target,
      goal: "= 1",
      reached: `${random.commitsPerWrite} COMMIT per write (pg_stat_statements)${wire}`,
      met: random.commitsPerWrite === 1,
    });

  target = "round trips to Postgres per API deposit";
  if (!roundTrips || roundTrips.perDeposit === null)
    targets.push({ target, goal: "<= 2", reached: "n/a (not measured: BENCH_ROUND_TRIP_DEPOSITS=0)", met: null });
  else {
    const clean =
      Object.keys(roundTrips.statuses).every((status) => status === "201") && roundTrips.connectionsOpened === 0 && roundTrips.idleFlights === 0;
    const caveat = clean
      ? ""
      : ` (statuses ${statusText(roundTrips.statuses)}, ${roundTrips.connectionsOpened} connections opened, ${roundTrips.idleFlights} idle flights: not clean)`;
    targets.push({ target, goal: "<= 2", reached: `${roundTrips.perDeposit}${caveat}`, met: clean ? roundTrips.perDeposit <= 2 : null });
  }

  target = "random-account writes / pgbench";
  if (!random) targets.push(notRun(target, ">= 0.2", "random"));
  else
    targets.push({
      target,
      goal: ">= 0.2",
      reached: `${random.writesToPgbench} (${random.writesPerSecond} vs ${baseline.tps})`,
      met: random.writesToPgbench >= 0.2,
    });

  target = "hot / random writes, 409s, 5xx";
  if (!random || !hot) targets.push(notRun(target, ">= 1.0, 0, 0", "hot or random"));
  else {
    const ratio = round(hot.writesPerSecond / random.writesPerSecond, 2);
    const conflicts = count(hot.statuses, (s) => s === "409");
    const errors = count(hot.statuses, (s) => s.startsWith("5")) + hot.transportErrors;
    targets.push({
      target,
      goal: ">= 1.0, 0, 0",
      reached: `${ratio}, ${conflicts}, ${errors}${hot.transportErrors ? ` (${hot.transportErrors} transport errors)` : ""}`,
      met: ratio >= 1 && conflicts === 0 && errors === 0,
    });
  }

  target = "server CPU per API write (random)";
  if (!random) targets.push(notRun(target, "<= 1.5 ms", "random"));
  else
    targets.push({
      target,
      goal: "<= 1.5 ms",
      reached: `${ms(random.perWriteMs.servers)} ms`,
      met: random.perWriteMs.servers === null ? null : random.perWriteMs.servers <= 1.5,
    });

  target = "Postgres CPU per write (random) / pgbench's per transaction";
  if (!random) targets.push(notRun(target, "<= 1.2", "random"));
  else {
    const ratio = random.postgresPerWriteToPgbench;
    targets.push({
      target,
      goal: "<= 1.2",
      reached: `${ms(ratio)} (${ms(random.perWriteMs.postgres)} vs ${baseline.postgresCpuPerTransactionMs} ms)`,
      met: ratio === null ? null : ratio <= 1.2,
    });
  }

  target = "open loop at 300 writes/s: p99 from scheduled start";
  if (!open300?.open) targets.push(notRun(target, "< 50 ms", "open-300"));
  else {
    const bad = count(open300.statuses, (s) => s.startsWith("5")) + open300.transportErrors;
    targets.push({
      target,
      goal: "< 50 ms, all sent, 0 5xx",
      reached: `${open300.latency.p99Ms} ms; ${open300.writesPerSecond} writes/s achieved; ${open300.open.unsent} never sent; ${bad} 5xx/transport`,
      met: open300.latency.p99Ms < 50 && open300.open.unsent === 0 && bad === 0,
    });
  }

  target = "mixed workload, non-business errors (not 2xx/422)";
  if (!mixed) targets.push(notRun(target, ">= 1000 req/s, 0", "mixed"));
  else {
    const nonBusiness = count(mixed.statuses, (s) => !s.startsWith("2") && s !== "422") + mixed.transportErrors;
    targets.push({
      target,
      goal: ">= 1000 req/s, 0",
      reached: `${mixed.requestsPerSecond} req/s, ${nonBusiness}`,
      met: mixed.requestsPerSecond >= 1000 && nonBusiness === 0,
    });
  }

  if (comparison) {
    targets.push({
      target: "random writes/s vs the earlier run",
      goal: ">= 3x",
      reached:
        comparison.ratio === null
          ? "n/a"
          : `${comparison.ratio}x (${comparison.scenarioNow} ${comparison.randomNow} vs ${comparison.randomThen}${comparison.scenarioNow === "random" ? "" : ", then random with webhooks"})`,
      met: comparison.ratio === null ? null : comparison.ratio >= 3,
    });
  }
  return targets;
}
