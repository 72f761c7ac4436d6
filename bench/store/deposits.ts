import { performance } from "node:perf_hooks";

import { sql } from "drizzle-orm";

import { depositMoney, openAccount, type CommandContext } from "../../lib/commands/accounts";
import { openDatabase } from "../../lib/db/client";
import { startWaitSampler, type WaitSample } from "../diagnostics";
import { benchMetadata, cpuBetween, cpuMark, latencySummary, round, type CpuMark, type Scratch } from "../support";
import { DURATION_MS, SETTINGS, WARMUP_MS } from "./settings";

// ---------------------------------------------------------------------------------------------
// Part 1: deposits through the command path

export type Scenario = "random" | "hot";

export type DepositRun = {
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

export async function openAccounts(scratch: Scratch, count: number): Promise<string[]> {
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
export async function runDeposits(scratch: Scratch, scenario: Scenario, workers: number, pickAccount: () => string): Promise<DepositRun> {
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
  const timers = [setTimeout(() => (fromMark = cpuMark()), WARMUP_MS), setTimeout(() => (toMark = cpuMark()), WARMUP_MS + DURATION_MS)];
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
