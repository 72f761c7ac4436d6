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
 * 5. Events out under the random scenario (bench/events-watch.ts): the servers relay to NATS
 *    JetStream (NATS_URL, default nats://127.0.0.1:4222, on subjects of their own) and deliver to an
 *    admin webhook endpoint on a local receiver while the writes run; relay and webhook events/s,
 *    how long after the writes the last arrived, and the lag (arrival − recorded_at) p50/p95/p99/max.
 * 6. The targets table, and with BENCH_COMPARE_RESULTS a comparison with an earlier run.
 * Figures go to bench/results/http-<timestamp>.json. See docs/performance.md.
 *
 * Tunables (env): BENCH_SECONDS (20 per scenario), BENCH_WARMUP_SECONDS (3), BENCH_CLIENTS (16),
 * BENCH_PGBENCH_SECONDS (20), BENCH_POOL_MAX (DATABASE_POOL_MAX of each server, 8),
 * BENCH_MAX_REQUESTS (per closed-loop scenario, 1,000,000), BENCH_SCENARIOS
 * ("random,hot,mixed,transfers,open-100,open-300"), BENCH_OPEN_MAX_IN_FLIGHT (256),
 * BENCH_OPEN_GRACE_SECONDS (5), BENCH_ROUND_TRIP_DEPOSITS (200; 0 skips), BENCH_LOG_LEVEL (the servers' LOG_LEVEL; unset: production's
 * default), BENCH_COMPARE_RESULTS (an earlier results file), BENCH_CPU_PROF=1 (write V8 CPU
 * profiles of the servers to bench/results/profiles/), BENCH_EVENTS_OUT=0 (no relay or webhooks),
 * BENCH_PORT (the two servers' ports: it and the next; default a random pair from 3400).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

import postgres from "postgres";

import { openDatabase, redactUrl } from "../lib/db/client";
import { migrateDatabase } from "../lib/db/migrate";
import { LOG_LEVELS } from "../lib/log";
import {
  cpuByGroup,
  isPostgres,
  machineBusySeconds,
  machineShares,
  postgresBackendDatabase,
  processTree,
  readMachineTicks,
  readProcesses,
  type Classify,
  type MachineShares,
  type MachineTicks,
  type ProcessRow,
} from "./cpu";
import { eventsOutLines, startEventsOutWatch, type EventsOutFigures, type EventsOutWatch } from "./events-watch";
import { call, runLoad, runOpenLoad, type OpenLoopSummary, type Request, type TrafficFigures } from "./load";
import { startCountingProxy } from "./roundtrips";
import { createScratchDatabase, intEnv, log, round, sleep, table, type Scratch } from "./support";

const ADMIN_URL = process.env.DATABASE_URL;
const SECONDS = intEnv("BENCH_SECONDS", 20);
const WARMUP_SECONDS = intEnv("BENCH_WARMUP_SECONDS", 3);
const CLIENTS = intEnv("BENCH_CLIENTS", 16);
const PGBENCH_SECONDS = intEnv("BENCH_PGBENCH_SECONDS", 20);
const POOL_MAX = intEnv("BENCH_POOL_MAX", 8);
const MAX_REQUESTS = intEnv("BENCH_MAX_REQUESTS", 1_000_000);
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? "random,hot,mixed,transfers,open-100,open-300").split(",").map((name) => name.trim());
const OPEN_MAX_IN_FLIGHT = intEnv("BENCH_OPEN_MAX_IN_FLIGHT", 256);
const OPEN_GRACE_SECONDS = intEnv("BENCH_OPEN_GRACE_SECONDS", 5, 0);
const ROUND_TRIP_DEPOSITS = intEnv("BENCH_ROUND_TRIP_DEPOSITS", 200, 0);
const CPU_PROFILES = process.env.BENCH_CPU_PROF === "1";
// Events out during the random scenario: the servers relay to NATS and deliver webhooks meanwhile.
const EVENTS_OUT = process.env.BENCH_EVENTS_OUT !== "0";
// The servers' ports: BENCH_PORT and the next one, or a random pair from 3400 (two runs side by side rarely meet).
const BASE_PORT = process.env.BENCH_PORT ? intEnv("BENCH_PORT", 3400) : 3400 + Math.floor(Math.random() * 500) * 2;
const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
// Unset means the servers run without LOG_LEVEL, i.e. at production's default (info: one JSON line
// per API call with its command), so the figures include what logging costs in production.
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL || undefined;
const COMPARE_RESULTS = process.env.BENCH_COMPARE_RESULTS || undefined;
const SERVER_COUNT = 2;
const USERS = 10;
const ACCOUNTS = 250;
const OPENING_BALANCE = 100_000_000; // 1,000,000.00 EUR: withdrawals of up to 100.00 rarely run dry
const PASSWORD = "quiet lantern harbour bench";
const RESULTS_DIR = path.join(import.meta.dirname, "results");

type Customer = { email: string; token: string };
type Account = { id: string; number: string; owner: Customer };
type Server = { url: URL; process: ChildProcess; logFile: string };

// ---------------------------------------------------------------------------------------------
// Baseline

function pgbenchArgs(url: URL): string[] {
  return ["-h", url.hostname, "-p", url.port || "5432", ...(url.username ? ["-U", decodeURIComponent(url.username)] : [])];
}

type Baseline = {
  tps: number;
  transactions: number;
  latencyMs: number;
  scale: number;
  clients: number;
  seconds: number;
  version: string;
  cpu: CpuFigures;
  /** Postgres CPU per TPC-B transaction (its database's backends and the shared processes). */
  postgresCpuPerTransactionMs: number;
  /** pgbench's own CPU per transaction: the client side, like the generator's per request. */
  pgbenchCpuPerTransactionMs: number;
};

async function pgbenchBaseline(): Promise<Baseline> {
  const scratch = await createScratchDatabase(ADMIN_URL as string);
  try {
    const url = new URL(scratch.url);
    const env = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
    const scale = 16; // TPC-B wants at least one branch per client, or the clients queue on branch rows
    execFileSync("pgbench", [...pgbenchArgs(url), "-i", "-q", "-s", String(scale), scratch.name], { env, stdio: "ignore" });
    const before = cpuSample();
    const out = execFileSync(
      "pgbench",
      [...pgbenchArgs(url), "-c", "16", "-j", String(Math.min(16, os.cpus().length)), "-T", String(PGBENCH_SECONDS), scratch.name],
      {
        env,
        encoding: "utf8",
      },
    );
    const cpu = cpuBetween(before, cpuSample(), [], scratch.name);
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1]);
    const transactions = Number(/number of transactions actually processed: (\d+)/.exec(out)?.[1]);
    const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1]);
    if (!Number.isFinite(tps) || !Number.isFinite(transactions)) throw new Error(`could not read pgbench's tps and transactions from:\n${out}`);
    const version = execFileSync("pgbench", ["--version"], { encoding: "utf8" }).trim();
    return {
      tps: round(tps, 1),
      transactions,
      latencyMs,
      scale,
      clients: 16,
      seconds: PGBENCH_SECONDS,
      version,
      cpu,
      postgresCpuPerTransactionMs: round((1000 * cpu.cpuSeconds.postgres) / transactions, 3),
      pgbenchCpuPerTransactionMs: round((1000 * cpu.cpuSeconds.benchChildren) / transactions, 3),
    };
  } finally {
    await scratch.drop();
  }
}

// ---------------------------------------------------------------------------------------------
// Servers

const nextBin = path.join(process.cwd(), "node_modules/next/dist/bin/next");

function ensureBuild(): void {
  if (existsSync(".next/BUILD_ID")) return;
  log("no production build: running `next build` first");
  const build = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (build.status !== 0) throw new Error("next build failed");
}

let logDir = ""; // made by main, removed at the end unless a server failed

async function startServer(databaseUrl: string, port: number, extraEnv: Record<string, string> = {}): Promise<Server> {
  const profileDir = path.join(RESULTS_DIR, "profiles");
  if (CPU_PROFILES) mkdirSync(profileDir, { recursive: true });
  const args = [
    ...(CPU_PROFILES ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : []),
    nextBin,
    "start",
    "--port",
    String(port),
    "--hostname",
    "127.0.0.1",
  ];
  // The log goes to a file, as it would to a collector: read through a pipe it would cost the
  // generator's CPU and memory, and the bench would measure itself.
  const logFile = path.join(logDir, `server-${port}.log`);
  const fd = openSync(logFile, "a");
  const child = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: String(POOL_MAX),
      AUTH_SECRET: "bench-only-secret-0123456789abcdef0123456789",
      ...(LOG_LEVEL ? { LOG_LEVEL } : {}),
      ...extraEnv,
    },
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  const url = new URL(`http://127.0.0.1:${port}`);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server on port ${port} exited:\n${logTail(logFile)}`);
    try {
      const answer = await fetch(new URL("/api/health", url), { signal: AbortSignal.timeout(2_000) });
      if (answer.ok) return { url, process: child, logFile };
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  child.kill("SIGKILL");
  throw new Error(`server on port ${port} did not come up:\n${logTail(logFile)}`);
}

function logTail(file: string, bytes = 2000): string {
  try {
    const size = statSync(file).size;
    return readRange(file, Math.max(0, size - bytes), size);
  } catch {
    return "(no log)";
  }
}

function readRange(file: string, from: number, to: number): string {
  const buffer = Buffer.alloc(Math.max(0, to - from));
  const fd = openSync(file, "r");
  try {
    readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    closeSync(fd);
  }
  return buffer.toString("utf8");
}

/** Bytes and lines the servers have logged so far, to take the difference over a scenario. */
type LogMark = { file: string; size: number }[];
const logMark = (servers: Server[]): LogMark => servers.map((s) => ({ file: s.logFile, size: statSync(s.logFile).size }));

type LogFigures = { bytes: number; lines: number; byLevel: Record<string, number>; firstErrors: string[] };

/** What the servers logged since `from`: volume, lines per level, the first error lines (a 5xx's cause). */
function logBetween(from: LogMark): LogFigures {
  const figures: LogFigures = { bytes: 0, lines: 0, byLevel: {}, firstErrors: [] };
  for (const mark of from) {
    const size = statSync(mark.file).size;
    figures.bytes += size - mark.size;
    for (const line of readRange(mark.file, mark.size, size).split("\n")) {
      if (!line) continue;
      figures.lines += 1;
      const level = /"level":"(\w+)"/.exec(line)?.[1] ?? "not JSON";
      figures.byLevel[level] = (figures.byLevel[level] ?? 0) + 1;
      if ((level === "error" || level === "fatal" || level === "not JSON") && figures.firstErrors.length < 3)
        figures.firstErrors.push(line.slice(0, 600));
    }
  }
  return figures;
}

async function stopServer(server: Server): Promise<void> {
  if (server.process.exitCode !== null) return;
  const exited = new Promise((resolve) => server.process.once("exit", resolve));
  server.process.kill("SIGINT"); // a clean exit writes the CPU profile
  await Promise.race([exited, sleep(10_000)]);
  if (server.process.exitCode === null) server.process.kill("SIGKILL");
}

// ---------------------------------------------------------------------------------------------
// CPU accounting per process group (bench/cpu.ts): is it Node (servers), Postgres, the generator,
// or other work on the shared machine?

type CpuSampleAt = { at: number; machine: MachineTicks | null; processes: ProcessRow[] };

const cpuSample = (): CpuSampleAt => ({ at: performance.now(), machine: readMachineTicks(), processes: readProcesses() });

type Group = "servers" | "postgres" | "postgresOtherDatabases" | "generator" | "benchChildren" | "other";
const GROUPS: Group[] = ["servers", "postgres", "postgresOtherDatabases", "generator", "benchChildren", "other"];

/**
 * Postgres backends of other databases are other people's work on a shared server. Backends
 * that exited inside the window are counted as ours (the postmaster reaps them, and their
 * database is no longer known); the postmaster and its background processes (WAL writer,
 * checkpointer, autovacuum) are counted as ours too: they work for every database.
 */
function classifier(rows: ProcessRow[], serverPids: number[], database: string): Classify<Group> {
  const servers = processTree(rows, serverPids);
  return (row) => {
    if (servers.has(row.pid)) return { own: "servers", children: "servers" };
    if (row.pid === process.pid) return { own: "generator", children: "benchChildren" };
    if (isPostgres(row)) {
      const backendOf = row.title ? postgresBackendDatabase(row.title) : null;
      return { own: backendOf !== null && backendOf !== database ? "postgresOtherDatabases" : "postgres", children: "postgres" };
    }
    return { own: "other", children: "other" };
  };
}

type CpuFigures = {
  seconds: number;
  cores: number;
  /** CPU seconds used per group inside the window; `other` is the machine's busy time left over. */
  cpuSeconds: Record<Group, number>;
  /** The same in percent of one core (200 = both cores of a 2-core machine). */
  percentOfOneCore: Record<Group, number>;
  serversKernelPercent: number;
  /** The whole machine, in percent of all cores: user, system, iowait, steal, idle. */
  machine: MachineShares | null;
  // The names earlier results files used, kept so they compare.
  serversPercent: number;
  postgresPercent: number;
  generatorPercent: number;
};

function cpuBetween(from: CpuSampleAt, to: CpuSampleAt, serverPids: number[], database: string): CpuFigures {
  const wall = (to.at - from.at) / 1000;
  const classify = classifier([...from.processes, ...to.processes], serverPids, database);
  const all = cpuByGroup(from.processes, to.processes, classify);
  const kernel = cpuByGroup(from.processes, to.processes, classify, "kernel");
  const cpuSeconds = Object.fromEntries(GROUPS.map((g) => [g, round(Math.max(0, all[g] ?? 0), 2)])) as Record<Group, number>;
  // Other work: whatever kept the machine busy besides the groups above (other people's processes,
  // interrupts). From /proc/stat, which cannot count more than the cores had.
  const ours = GROUPS.filter((g) => g !== "other").reduce((n, g) => n + cpuSeconds[g], 0);
  cpuSeconds.other = from.machine && to.machine ? round(Math.max(0, machineBusySeconds(from.machine, to.machine) - ours), 2) : 0;
  const pct = (secondsUsed: number) => round((100 * secondsUsed) / wall, 0);
  const percentOfOneCore = Object.fromEntries(GROUPS.map((g) => [g, pct(cpuSeconds[g])])) as Record<Group, number>;
  return {
    seconds: round(wall, 2),
    cores: os.cpus().length,
    cpuSeconds,
    percentOfOneCore,
    serversKernelPercent: pct(Math.max(0, kernel.servers ?? 0)),
    machine: from.machine && to.machine ? machineShares(from.machine, to.machine) : null,
    serversPercent: percentOfOneCore.servers,
    postgresPercent: percentOfOneCore.postgres,
    generatorPercent: percentOfOneCore.generator,
  };
}

/** CPU per request and per write, in ms, and Postgres's per write against pgbench's per transaction. */
function cpuPerUnit(cpu: CpuFigures, figures: TrafficFigures, baseline: Baseline) {
  const per = (secondsUsed: number, count: number) => (count > 0 ? round((1000 * secondsUsed) / count, 3) : null);
  const postgresPerWriteMs = per(cpu.cpuSeconds.postgres, figures.writes);
  return {
    perRequestMs: {
      servers: per(cpu.cpuSeconds.servers, figures.requests),
      postgres: per(cpu.cpuSeconds.postgres, figures.requests),
      generator: per(cpu.cpuSeconds.generator, figures.requests),
    },
    perWriteMs: {
      servers: per(cpu.cpuSeconds.servers, figures.writes),
      postgres: postgresPerWriteMs,
      generator: per(cpu.cpuSeconds.generator, figures.writes),
    },
    postgresPerWriteToPgbench:
      postgresPerWriteMs !== null && baseline.postgresCpuPerTransactionMs > 0
        ? round(postgresPerWriteMs / baseline.postgresCpuPerTransactionMs, 2)
        : null,
  };
}

const machineLine = (machine: MachineShares | null, cores: number) =>
  machine
    ? `machine CPU (% of all ${cores} cores): user ${machine.userPercent}, system ${machine.systemPercent}, iowait ${machine.iowaitPercent}, steal ${machine.stealPercent}, idle ${machine.idlePercent}`
    : "machine CPU: /proc/stat not readable";

// ---------------------------------------------------------------------------------------------
// Setup over the API

async function setUp(servers: Server[]): Promise<{ customers: Customer[]; accounts: Account[] }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const base = servers[0]?.url as URL;
  const runId = randomUUID().slice(0, 8);
  // Sign-up and token exchange hash the password (scrypt, 128 MiB): two at a time.
  const customers: Customer[] = [];
  for (let i = 0; i < USERS; i += 2) {
    const batch = await Promise.all(
      [i, i + 1].map(async (n) => {
        const email = `bench.${runId}.${n}@example.com`;
        await call(
          agent,
          base,
          { method: "POST", path: "/auth/signup", token: "", body: { name: `Bench Customer ${n}`, email, password: PASSWORD } },
          [201],
        );
        const { token } = await call<{ token: string }>(agent, base, {
          method: "POST",
          path: "/auth/token",
          token: "",
          body: { email, password: PASSWORD },
        });
        return { email, token };
      }),
    );
    customers.push(...batch);
  }
  const accounts: Account[] = [];
  for (let i = 0; i < ACCOUNTS; i += 25) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(25, ACCOUNTS - i) }, async (_, k) => {
        const owner = customers[(i + k) % USERS] as Customer;
        const { account } = await call<{ account: { id: string; number: string } }>(agent, base, {
          method: "POST",
          path: "/accounts",
          token: owner.token,
          body: { currency: "EUR", nickname: `Bench ${i + k}` },
          idempotencyKey: randomUUID(),
        });
        await call(agent, base, {
          method: "POST",
          path: `/accounts/${account.id}/deposits`,
          token: owner.token,
          body: { amount: OPENING_BALANCE },
          idempotencyKey: randomUUID(),
        });
        return { id: account.id, number: account.number, owner };
      }),
    );
    accounts.push(...opened);
  }
  agent.destroy();
  return { customers, accounts };
}

// ---------------------------------------------------------------------------------------------
// Scenarios

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;
const amount = () => 100 + Math.floor(Math.random() * 9_900); // 1.00 to 100.00

const deposit = (account: Account): Request => ({
  route: "POST /accounts/{id}/deposits",
  method: "POST",
  path: `/accounts/${account.id}/deposits`,
  token: account.owner.token,
  body: { amount: amount() },
  idempotencyKey: randomUUID(),
  write: true,
});

const withdrawal = (account: Account): Request => ({
  route: "POST /accounts/{id}/withdrawals",
  method: "POST",
  path: `/accounts/${account.id}/withdrawals`,
  token: account.owner.token,
  body: { amount: amount() },
  idempotencyKey: randomUUID(),
  write: true,
});

type ClosedScenario = { kind: "closed"; name: string; description: string; next: (accounts: Account[], customers: Customer[]) => () => Request };
type OpenScenario = { kind: "open"; name: string; description: string; ratePerSecond: number; next: (accounts: Account[]) => () => Request };
type Scenario = ClosedScenario | OpenScenario;

const randomWrites = (accounts: Account[]) => {
  const pool = accounts.slice(0, 100);
  return () => (Math.random() < 0.5 ? deposit(pick(pool)) : withdrawal(pick(pool)));
};

const closedScenarios: ClosedScenario[] = [
  {
    kind: "closed",
    name: "random",
    description: "deposits and withdrawals (half each) on 100 random accounts",
    next: randomWrites,
  },
  {
    kind: "closed",
    name: "hot",
    description: "deposits and withdrawals (half each), all on one account",
    next: (accounts) => {
      const hot = accounts[0] as Account;
      return () => (Math.random() < 0.5 ? deposit(hot) : withdrawal(hot));
    },
  },
  {
    kind: "closed",
    name: "mixed",
    description: "250 accounts, 5% of them take 90% of traffic; 35% deposits, 30% withdrawals, 20% balance, 10% statement, 5% open account",
    next: (accounts, customers) => {
      const hotCount = Math.ceil(accounts.length * 0.05);
      const hot = accounts.slice(0, hotCount);
      const cold = accounts.slice(hotCount);
      const target = () => (Math.random() < 0.9 ? pick(hot) : pick(cold));
      return () => {
        const roll = Math.random() * 100;
        if (roll < 35) return deposit(target());
        if (roll < 65) return withdrawal(target());
        if (roll < 85) {
          const account = target();
          return { route: "GET /accounts/{id}", method: "GET", path: `/accounts/${account.id}`, token: account.owner.token, write: false };
        }
        if (roll < 95) {
          const account = target();
          return {
            route: "GET /accounts/{id}/statement",
            method: "GET",
            path: `/accounts/${account.id}/statement?limit=25`,
            token: account.owner.token,
            write: false,
          };
        }
        const owner = pick(customers);
        return {
          route: "POST /accounts",
          method: "POST",
          path: "/accounts",
          token: owner.token,
          body: { currency: "EUR" },
          idempotencyKey: randomUUID(),
          write: true,
        };
      };
    },
  },
  {
    kind: "closed",
    name: "transfers",
    description: "transfers between random pairs of 100 accounts (own and other customers')",
    next: (accounts) => {
      const pool = accounts.slice(100, 200);
      return () => {
        const from = pick(pool);
        let to = pick(pool);
        while (to.id === from.id) to = pick(pool);
        return {
          route: "POST /transfers",
          method: "POST",
          path: "/transfers",
          token: from.owner.token,
          body: { fromAccountId: from.id, toAccountNumber: to.number, amount: amount(), reference: "bench" },
          idempotencyKey: randomUUID(),
          write: true,
        };
      };
    },
  },
];

/** A closed-loop scenario by name, or `open-<rate>`: the random scenario's writes at a fixed rate. */
function scenarioNamed(name: string): Scenario {
  const closed = closedScenarios.find((s) => s.name === name);
  if (closed) return closed;
  const rate = /^open-(\d+)$/.exec(name)?.[1];
  if (rate && Number(rate) > 0) {
    return {
      kind: "open",
      name,
      ratePerSecond: Number(rate),
      description: `deposits and withdrawals (half each) on 100 random accounts, ${rate} per second on a fixed timetable (open loop, at most ${OPEN_MAX_IN_FLIGHT} in flight)`,
      next: randomWrites,
    };
  }
  throw new Error(
    `unknown scenario ${JSON.stringify(name)} in BENCH_SCENARIOS: use ${closedScenarios.map((s) => s.name).join(", ")} or open-<writes per second>`,
  );
}

async function transferOutcome(databaseUrl: string): Promise<{ byStatus: Record<string, number>; drainSeconds: number }> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const started = performance.now();
  try {
    for (;;) {
      const rows = await sql<{ status: string; count: string }[]>`select status, count(*)::text as count from transfers_view group by status`;
      const byStatus = Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
      const unfinished = rows.filter((row) => !["completed", "failed", "held"].includes(row.status)).reduce((n, row) => n + Number(row.count), 0);
      if (unfinished === 0 || performance.now() - started > 120_000)
        return { byStatus, drainSeconds: round((performance.now() - started) / 1000, 1) };
      await sleep(500);
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

// ---------------------------------------------------------------------------------------------
// Statements per request, from pg_stat_statements when the server loads it

type StatementFigures = { calls: number; totalMs: number; meanMs: number; query: string }[];

async function statementStats(databaseUrl: string, action: "reset" | "read"): Promise<StatementFigures | null> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const loaded = await sql<
      { on: boolean }[]
    >`select 'pg_stat_statements' = any(string_to_array(current_setting('shared_preload_libraries'), ', ')) as on`;
    if (!loaded[0]?.on) return null;
    await sql`create extension if not exists pg_stat_statements`;
    if (action === "reset") {
      await sql`select pg_stat_statements_reset()`;
      return [];
    }
    const rows = await sql<{ calls: string; total: number; query: string }[]>`
      select calls::text, total_exec_time as total, query from pg_stat_statements
      where dbid = (select oid from pg_database where datname = current_database())
      order by total_exec_time desc`;
    return rows.map((row) => ({
      calls: Number(row.calls),
      totalMs: round(row.total, 1),
      meanMs: round(row.total / Number(row.calls), 3),
      query: row.query.replace(/\s+/g, " ").slice(0, 160),
    }));
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Explicit COMMITs (transaction blocks); statements sent outside a block commit on their own, unseen here. */
const commitCalls = (statements: StatementFigures) => statements.filter((s) => /^\s*(commit|end)\b/i.test(s.query)).reduce((n, s) => n + s.calls, 0);

function printStatements(statements: StatementFigures | null, requests: number, writes: number): void {
  if (!statements) return;
  const calls = statements.reduce((n, s) => n + s.calls, 0);
  const total = statements.reduce((n, s) => n + s.totalMs, 0);
  log(
    `statements: ${round(calls / Math.max(1, requests), 1)} per request, ${round(total / Math.max(1, requests), 2)} ms of execution per request, ` +
      `${writes > 0 ? round(commitCalls(statements) / writes, 2) : "n/a"} COMMIT per write; top by time:`,
  );
  for (const s of statements.slice(0, 8)) log(`  ${String(s.calls).padStart(7)} x ${String(s.meanMs).padStart(7)} ms  ${s.query}`);
}

// ---------------------------------------------------------------------------------------------
// Round trips per API deposit

type RoundTrips = {
  deposits: number;
  statuses: Record<string, number>;
  flights: number;
  perDeposit: number | null;
  connectionsOpened: number;
  idleFlights: number;
  /** Per deposit, from the wire; null if a connection was encrypted. */
  transactionsPerDeposit: { explicitCommits: number; autocommits: number; writeCommits: number; rollbacks: number } | null;
};

/**
 * A third server, connected through the counting proxy, takes deposits one at a time (a round
 * trip is what one request waits for; concurrent requests could share flights). Its transfer
 * loop is off, since its polling would be counted too; an idle pause before checks nothing else
 * talks to Postgres. The warm-up opens the pool and prepares the statements on its connections.
 */
async function measureRoundTrips(databaseUrl: string, accounts: Account[]): Promise<RoundTrips> {
  const target = new URL(databaseUrl);
  const proxy = await startCountingProxy({ host: target.hostname, port: Number(target.port || 5432) });
  let server: Server | undefined;
  try {
    const viaProxy = new URL(databaseUrl);
    viaProxy.hostname = "127.0.0.1";
    viaProxy.port = String(proxy.port);
    server = await startServer(viaProxy.toString(), 3400 + Math.floor(Math.random() * 500) * 2 + 1000, { TRANSFER_RUNNER_INTERVAL_MS: "0" });
    const pool = accounts.slice(0, 100);
    const run = (count: number) =>
      runLoad({ servers: [(server as Server).url], clients: 1, seconds: 120, maxRequests: count, next: () => deposit(pick(pool)) });
    await run(100);
    proxy.reset();
    await sleep(2_000);
    const idleFlights = proxy.flights();
    proxy.reset();
    const figures = await run(ROUND_TRIP_DEPOSITS);
    const flights = proxy.flights();
    const tally = proxy.transactions();
    const per = (n: number) => round(n / Math.max(1, figures.requests), 2);
    return {
      transactionsPerDeposit: tally && {
        explicitCommits: per(tally.explicitCommits),
        autocommits: per(tally.autocommits),
        writeCommits: per(tally.writeCommits),
        rollbacks: per(tally.rollbacks),
      },
      deposits: figures.requests,
      statuses: figures.statuses,
      flights,
      perDeposit: figures.requests > 0 ? round(flights / figures.requests, 2) : null,
      connectionsOpened: proxy.connections(),
      idleFlights,
    };
  } finally {
    if (server) await stopServer(server);
    await proxy.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Output

type ScenarioResult = TrafficFigures & {
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

function printScenario(name: string, result: ScenarioResult, baseline: Baseline): void {
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

function printSummary(results: Record<string, ScenarioResult>, baseline: Baseline): void {
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
  logDir = mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-"));
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
      const watchHere = scenario.name === "random" ? watch : undefined;
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
      `\n## Compared with ${comparison.file} (${comparison.startedAt})\nrandom writes/s: now ${comparison.randomNow ?? "n/a"}, then ${comparison.randomThen ?? "n/a"}, ratio ${comparison.ratio ?? "n/a"} ` +
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

type Earlier = { file: string; startedAt: string; randomWritesPerSecond: number | null; pgbenchTps: number | null };

function readEarlier(file: string): Earlier {
  const json = JSON.parse(readFileSync(file, "utf8")) as {
    startedAt?: string;
    baseline?: { tps?: number };
    scenarios?: { random?: { writesPerSecond?: number } };
  };
  return {
    file,
    startedAt: json.startedAt ?? "?",
    randomWritesPerSecond: json.scenarios?.random?.writesPerSecond ?? null,
    pgbenchTps: json.baseline?.tps ?? null,
  };
}

function compare(earlier: Earlier, results: Record<string, ScenarioResult>) {
  const randomNow = results.random?.writesPerSecond ?? null;
  const randomThen = earlier.randomWritesPerSecond;
  return {
    file: earlier.file,
    startedAt: earlier.startedAt,
    randomNow,
    randomThen,
    ratio: randomNow !== null && randomThen ? round(randomNow / randomThen, 2) : null,
    pgbenchThen: earlier.pgbenchTps,
  };
}

type Target = { target: string; goal: string; reached: string; met: boolean | null };

function summarise(
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
      reached: comparison.ratio === null ? "n/a" : `${comparison.ratio}x (${comparison.randomNow} vs ${comparison.randomThen})`,
      met: comparison.ratio === null ? null : comparison.ratio >= 3,
    });
  }
  return targets;
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
