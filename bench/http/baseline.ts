import { execFileSync } from "node:child_process";
import os from "node:os";

import { createScratchDatabase, round } from "../support";
import { cpuBetween, cpuSample, type CpuFigures } from "./cpu-groups";
import { ADMIN_URL, PGBENCH_SECONDS } from "./settings";

// ---------------------------------------------------------------------------------------------
// Baseline

function pgbenchArgs(url: URL): string[] {
  return ["-h", url.hostname, "-p", url.port || "5432", ...(url.username ? ["-U", decodeURIComponent(url.username)] : [])];
}

export type Baseline = {
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

export async function pgbenchBaseline(): Promise<Baseline> {
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
