/**
 * Whole-system benchmark against a real Postgres: `DATABASE_URL=postgres://… npm run bench`.
 *
 * In one run:
 * 1. Baseline: pgbench TPC-B with 16 clients on the same server, in a scratch database of its own.
 * 2. Two production servers (`next start`, built first if there is no build) on one scratch
 *    database, driven over the JSON API v1 by a closed-loop load generator (bench/load.ts) in four
 *    scenarios: random accounts, one hot account, a mixed workload, transfers.
 * 3. Per scenario: requests/s, p50/p95/p99 per route, counts by status, write throughput as a
 *    share of the pgbench figure, and the CPU used by the servers, Postgres and the generator.
 * Figures go to bench/results/http-<timestamp>.json. See docs/performance.md.
 *
 * Tunables (env): BENCH_SECONDS (20 per scenario), BENCH_WARMUP_SECONDS (3), BENCH_CLIENTS (16),
 * BENCH_PGBENCH_SECONDS (20), BENCH_POOL_MAX (DATABASE_POOL_MAX of each server, 8),
 * BENCH_MAX_REQUESTS (per scenario, 1,000,000), BENCH_SCENARIOS ("random,hot,mixed,transfers"),
 * BENCH_CPU_PROF=1 (write V8 CPU profiles of the servers to bench/results/profiles/).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { openDatabase, redactUrl } from "../lib/db/client";
import { migrateDatabase } from "../lib/db/migrate";
import { call, type LoadFigures, type Request, runLoad } from "./load";
import { createScratchDatabase, intEnv, log, round, type Scratch, sleep, table } from "./support";

const ADMIN_URL = process.env.DATABASE_URL;
const SECONDS = intEnv("BENCH_SECONDS", 20);
const WARMUP_SECONDS = intEnv("BENCH_WARMUP_SECONDS", 3);
const CLIENTS = intEnv("BENCH_CLIENTS", 16);
const PGBENCH_SECONDS = intEnv("BENCH_PGBENCH_SECONDS", 20);
const POOL_MAX = intEnv("BENCH_POOL_MAX", 8);
const MAX_REQUESTS = intEnv("BENCH_MAX_REQUESTS", 1_000_000);
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? "random,hot,mixed,transfers").split(",").map((name) => name.trim());
const CPU_PROFILES = process.env.BENCH_CPU_PROF === "1";
const SERVER_COUNT = 2;
const USERS = 10;
const ACCOUNTS = 250;
const OPENING_BALANCE = 100_000_000; // 1,000,000.00 EUR: withdrawals of up to 100.00 rarely run dry
const PASSWORD = "quiet lantern harbour bench";
const RESULTS_DIR = path.join(import.meta.dirname, "results");

type Customer = { email: string; token: string };
type Account = { id: string; number: string; owner: Customer };
type Server = { url: URL; process: ChildProcess; output: () => string };

// ---------------------------------------------------------------------------------------------
// Baseline

function pgbenchArgs(url: URL): string[] {
  return ["-h", url.hostname, "-p", url.port || "5432", ...(url.username ? ["-U", decodeURIComponent(url.username)] : [])];
}

async function pgbenchBaseline(): Promise<{ tps: number; latencyMs: number; scale: number; clients: number; seconds: number; version: string }> {
  const scratch = await createScratchDatabase(ADMIN_URL as string);
  try {
    const url = new URL(scratch.url);
    const env = { ...process.env, PGPASSWORD: decodeURIComponent(url.password) };
    const scale = 16; // TPC-B wants at least one branch per client, or the clients queue on branch rows
    execFileSync("pgbench", [...pgbenchArgs(url), "-i", "-q", "-s", String(scale), scratch.name], { env, stdio: "ignore" });
    const out = execFileSync("pgbench", [...pgbenchArgs(url), "-c", "16", "-j", String(Math.min(16, os.cpus().length)), "-T", String(PGBENCH_SECONDS), scratch.name], {
      env,
      encoding: "utf8",
    });
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1]);
    const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1]);
    if (!Number.isFinite(tps)) throw new Error(`could not read pgbench's tps from:\n${out}`);
    const version = execFileSync("pgbench", ["--version"], { encoding: "utf8" }).trim();
    return { tps: round(tps, 1), latencyMs, scale, clients: 16, seconds: PGBENCH_SECONDS, version };
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

async function startServer(databaseUrl: string, port: number): Promise<Server> {
  const profileDir = path.join(RESULTS_DIR, "profiles");
  if (CPU_PROFILES) mkdirSync(profileDir, { recursive: true });
  const args = [...(CPU_PROFILES ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : []), nextBin, "start", "--port", String(port), "--hostname", "127.0.0.1"];
  const child = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: String(POOL_MAX),
      AUTH_SECRET: "bench-only-secret-0123456789abcdef0123456789",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let printed = "";
  child.stdout?.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  const url = new URL(`http://127.0.0.1:${port}`);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server on port ${port} exited:\n${printed}`);
    try {
      const answer = await fetch(new URL("/api/health", url), { signal: AbortSignal.timeout(2_000) });
      if (answer.ok) return { url, process: child, output: () => printed };
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  child.kill("SIGKILL");
  throw new Error(`server on port ${port} did not come up:\n${printed}`);
}

async function stopServer(server: Server): Promise<void> {
  if (server.process.exitCode !== null) return;
  const exited = new Promise((resolve) => server.process.once("exit", resolve));
  server.process.kill("SIGINT"); // a clean exit writes the CPU profile
  await Promise.race([exited, sleep(10_000)]);
  if (server.process.exitCode === null) server.process.kill("SIGKILL");
}

// ---------------------------------------------------------------------------------------------
// CPU accounting per process group: is it Node (servers), Postgres or the generator?

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function processTable(): { pid: number; ppid: number; comm: string; ticks: number; systemTicks: number }[] {
  const rows = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      // After the name: state(0) ppid(1) … utime(11) stime(12)
      rows.push({ pid: Number(entry), ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]), systemTicks: Number(fields[12]) });
    } catch {
      // the process ended while we read
    }
  }
  return rows;
}

type CpuSample = { at: number; servers: number; serversKernel: number; postgres: number; generator: number };

function cpuSample(serverPids: number[]): CpuSample {
  const rows = processTable();
  const children = new Map<number, number[]>();
  for (const row of rows) children.set(row.ppid, [...(children.get(row.ppid) ?? []), row.pid]);
  const tree = new Set<number>();
  const visit = (pid: number) => {
    if (tree.has(pid)) return;
    tree.add(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  serverPids.forEach(visit);
  let servers = 0;
  let serversKernel = 0;
  let pg = 0;
  for (const row of rows) {
    if (tree.has(row.pid)) {
      servers += row.ticks;
      serversKernel += row.systemTicks;
    }
    else if (row.comm.startsWith("postgres") || row.comm.startsWith("postmaster")) pg += row.ticks;
  }
  const own = process.cpuUsage();
  return { at: performance.now(), servers: servers / TICKS_PER_SECOND, serversKernel: serversKernel / TICKS_PER_SECOND, postgres: pg / TICKS_PER_SECOND, generator: (own.user + own.system) / 1e6 };
}

/** CPU used between two samples, in percent of one core (200 = both cores of a 2-core machine). */
function cpuBetween(from: CpuSample, to: CpuSample) {
  const wall = (to.at - from.at) / 1000;
  const pct = (a: number, b: number) => round((100 * (b - a)) / wall, 0);
  return { serversPercent: pct(from.servers, to.servers), serversKernelPercent: pct(from.serversKernel, to.serversKernel), postgresPercent: pct(from.postgres, to.postgres), generatorPercent: pct(from.generator, to.generator), cores: os.cpus().length };
}

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
        await call(agent, base, { method: "POST", path: "/auth/signup", token: "", body: { name: `Bench Customer ${n}`, email, password: PASSWORD } }, [201]);
        const { token } = await call<{ token: string }>(agent, base, { method: "POST", path: "/auth/token", token: "", body: { email, password: PASSWORD } });
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
        await call(agent, base, { method: "POST", path: `/accounts/${account.id}/deposits`, token: owner.token, body: { amount: OPENING_BALANCE }, idempotencyKey: randomUUID() });
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

type Scenario = { name: string; description: string; next: (accounts: Account[], customers: Customer[]) => () => Request };

const scenarios: Scenario[] = [
  {
    name: "random",
    description: "deposits and withdrawals (half each) on 100 random accounts",
    next: (accounts) => {
      const pool = accounts.slice(0, 100);
      return () => (Math.random() < 0.5 ? deposit(pick(pool)) : withdrawal(pick(pool)));
    },
  },
  {
    name: "hot",
    description: "deposits and withdrawals (half each), all on one account",
    next: (accounts) => {
      const hot = accounts[0] as Account;
      return () => (Math.random() < 0.5 ? deposit(hot) : withdrawal(hot));
    },
  },
  {
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
          return { route: "GET /accounts/{id}/statement", method: "GET", path: `/accounts/${account.id}/statement?limit=25`, token: account.owner.token, write: false };
        }
        const owner = pick(customers);
        return { route: "POST /accounts", method: "POST", path: "/accounts", token: owner.token, body: { currency: "EUR" }, idempotencyKey: randomUUID(), write: true };
      };
    },
  },
  {
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

async function transferOutcome(databaseUrl: string): Promise<{ byStatus: Record<string, number>; drainSeconds: number }> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const started = performance.now();
  try {
    for (;;) {
      const rows = await sql<{ status: string; count: string }[]>`select status, count(*)::text as count from transfers_view group by status`;
      const byStatus = Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
      const unfinished = rows.filter((row) => !["completed", "failed", "held"].includes(row.status)).reduce((n, row) => n + Number(row.count), 0);
      if (unfinished === 0 || performance.now() - started > 120_000) return { byStatus, drainSeconds: round((performance.now() - started) / 1000, 1) };
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
    const loaded = await sql<{ on: boolean }[]>`select 'pg_stat_statements' = any(string_to_array(current_setting('shared_preload_libraries'), ', ')) as on`;
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
    return rows.map((row) => ({ calls: Number(row.calls), totalMs: round(row.total, 1), meanMs: round(row.total / Number(row.calls), 3), query: row.query.replace(/\s+/g, " ").slice(0, 160) }));
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function printStatements(statements: StatementFigures | null, requests: number): void {
  if (!statements) return;
  const calls = statements.reduce((n, s) => n + s.calls, 0);
  const total = statements.reduce((n, s) => n + s.totalMs, 0);
  log(`statements: ${round(calls / Math.max(1, requests), 1)} per request, ${round(total / Math.max(1, requests), 2)} ms of execution per request; top by time:`);
  for (const s of statements.slice(0, 8)) log(`  ${String(s.calls).padStart(7)} x ${String(s.meanMs).padStart(7)} ms  ${s.query}`);
}

// ---------------------------------------------------------------------------------------------
// Output

function printScenario(name: string, description: string, figures: LoadFigures, baselineTps: number, cpu: ReturnType<typeof cpuBetween>): void {
  log(`\n## ${name}: ${description}`);
  log(
    `${figures.requestsPerSecond} requests/s, ${figures.writesPerSecond} writes/s = ${round(figures.writesPerSecond / baselineTps, 3)} x pgbench; ` +
      `statuses ${JSON.stringify(figures.statuses)}; transport errors ${figures.transportErrors}; ` +
      `CPU (% of one core): servers ${cpu.serversPercent} (kernel ${cpu.serversKernelPercent}), postgres ${cpu.postgresPercent}, generator ${cpu.generatorPercent}`,
  );
  log(
    table(
      ["route", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "statuses"],
      Object.entries(figures.routes).map(([route, r]) => [route, r.requests, r.perSecond, r.p50Ms, r.p95Ms, r.p99Ms, r.maxMs, Object.entries(r.statuses).map(([s, n]) => `${s}:${n}`).join(" ")]),
    ),
  );
  for (const error of figures.firstErrors) log(`  error: ${error}`);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (!ADMIN_URL) {
    log("npm run bench needs a real Postgres: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench");
    process.exitCode = 2;
    return;
  }
  const startedAt = new Date();
  log(`# Ledgerline HTTP benchmark, ${startedAt.toISOString()}`);
  log(`Postgres ${redactUrl(ADMIN_URL)}; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}); ${SERVER_COUNT} servers x pool ${POOL_MAX}; ${CLIENTS} clients; ${SECONDS} s per scenario`);

  log(`\nbaseline: pgbench TPC-B, 16 clients, ${PGBENCH_SECONDS} s ...`);
  const baseline = await pgbenchBaseline();
  log(`pgbench: ${baseline.tps} tps, latency ${baseline.latencyMs} ms (${baseline.version})`);

  ensureBuild();
  let scratch: Scratch | undefined;
  const servers: Server[] = [];
  const results: Record<string, unknown> = {};
  try {
    scratch = await createScratchDatabase(ADMIN_URL);
    // Migrate once here, so the two servers do not race to do it.
    const handle = await openDatabase({ kind: "postgres", url: scratch.url, poolMax: 1 });
    await migrateDatabase(handle, { url: scratch.url });
    await handle.close();
    for (let i = 0; i < SERVER_COUNT; i++) servers.push(await startServer(scratch.url, 3400 + Math.floor(Math.random() * 500) * 2 + i));
    log(`servers: ${servers.map((s) => s.url.origin).join(", ")}`);
    const { customers, accounts } = await setUp(servers);
    log(`set up ${customers.length} customers and ${accounts.length} funded accounts`);

    for (const scenario of scenarios.filter((s) => SCENARIOS.includes(s.name))) {
      const next = scenario.next(accounts, customers);
      const urls = servers.map((s) => s.url);
      // Warm up: JIT, route modules loaded, connections opened.
      await runLoad({ servers: urls, clients: CLIENTS, seconds: WARMUP_SECONDS, maxRequests: MAX_REQUESTS, next });
      if (scenario.name === "transfers") await transferOutcome(scratch.url);
      await statementStats(scratch.url, "reset");
      const before = cpuSample(servers.map((s) => s.process.pid as number));
      const figures = await runLoad({ servers: urls, clients: CLIENTS, seconds: SECONDS, maxRequests: MAX_REQUESTS, next });
      const cpu = cpuBetween(before, cpuSample(servers.map((s) => s.process.pid as number)));
      const statements = await statementStats(scratch.url, "read");
      printScenario(scenario.name, scenario.description, figures, baseline.tps, cpu);
      printStatements(statements, figures.requests);
      const transfers = scenario.name === "transfers" ? await transferOutcome(scratch.url) : undefined;
      if (transfers) log(`transfers after the run: ${JSON.stringify(transfers.byStatus)}; all finished ${transfers.drainSeconds} s after the load stopped`);
      const extra = transfers ? { transfers } : {};
      results[scenario.name] = {
        description: scenario.description,
        ...figures,
        writesToPgbench: round(figures.writesPerSecond / baseline.tps, 3),
        cpu,
        statementsPerRequest: statements ? round(statements.reduce((n, st) => n + st.calls, 0) / Math.max(1, figures.requests), 1) : null,
        topStatements: statements?.slice(0, 10) ?? null,
        ...extra,
      };
    }
  } finally {
    await Promise.all(servers.map(stopServer));
    const failed = servers.find((s) => s.process.exitCode !== null && s.process.exitCode !== 0 && s.process.exitCode !== 130);
    if (failed) log(`a server ended badly:\n${failed.output().slice(-2000)}`);
    await scratch?.drop();
  }

  const summary = summarise(results, baseline.tps);
  log(`\n## Targets\n${table(["target", "goal", "reached", "met"], summary.map((t) => [t.target, t.goal, t.reached, t.met ? "yes" : "no"]))}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `http-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ startedAt, machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, settings: { SECONDS, WARMUP_SECONDS, CLIENTS, POOL_MAX, SERVER_COUNT }, baseline, scenarios: results, targets: summary }, null, 2)}\n`,
  );
  log(`\nfigures written to ${path.relative(process.cwd(), file)}`);
}

type Target = { target: string; goal: string; reached: string; met: boolean };

function summarise(results: Record<string, unknown>, baselineTps: number): Target[] {
  const get = (name: string) => results[name] as (LoadFigures & { writesToPgbench: number }) | undefined;
  const worstWriteP99 = (figures: LoadFigures) => Math.max(...Object.entries(figures.routes).filter(([route]) => route.startsWith("POST")).map(([, r]) => r.p99Ms));
  const targets: Target[] = [];
  const random = get("random");
  const hot = get("hot");
  const mixed = get("mixed");
  if (random) {
    targets.push({ target: "random writes / pgbench", goal: ">= 0.5", reached: `${random.writesToPgbench} (${random.writesPerSecond} vs ${baselineTps})`, met: random.writesToPgbench >= 0.5 });
    targets.push({ target: "command p99 at 16 clients (random)", goal: "< 50 ms", reached: `${worstWriteP99(random)} ms`, met: worstWriteP99(random) < 50 });
  }
  if (random && hot) {
    const ratio = round(hot.writesPerSecond / random.writesPerSecond, 2);
    const bad = Object.entries(hot.statuses).filter(([status]) => status === "409" || status.startsWith("5")).reduce((n, [, count]) => n + count, 0) + hot.transportErrors;
    targets.push({ target: "hot / random writes, no 409/5xx", goal: ">= 0.5, 0", reached: `${ratio}, ${bad}`, met: ratio >= 0.5 && bad === 0 });
  }
  if (mixed) {
    const nonBusiness = Object.entries(mixed.statuses).filter(([status]) => !status.startsWith("2") && status !== "422").reduce((n, [, count]) => n + count, 0) + mixed.transportErrors;
    targets.push({ target: "mixed workload", goal: ">= 1500 req/s, 0 non-business errors", reached: `${mixed.requestsPerSecond} req/s, ${nonBusiness}`, met: mixed.requestsPerSecond >= 1500 && nonBusiness === 0 });
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
