/** Plumbing for the benchmarks: a scratch database, statistics, CPU accounting, tables. */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

import postgres from "postgres";

import type { CommandMetadata } from "../lib/domain/shared/decider";

// ---------------------------------------------------------------------------------------------
// Environment

/** An integer from the environment, at least `min` (pass 0 where 0 means "skip this part"). */
export function intEnv(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${raw}`);
  return value;
}

export function listEnv(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (!raw) return fallback;
  return raw.split(",").map((part) => {
    const value = Number(part.trim());
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must list positive integers, got ${raw}`);
    return value;
  });
}

// ---------------------------------------------------------------------------------------------
// Scratch database

export type Scratch = { readonly name: string; readonly url: string; drop: () => Promise<void> };

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** Creates `ll_bench_<pid>_<random>` next to the database `adminUrl` names; `drop` is idempotent. */
export async function createScratchDatabase(adminUrl: string): Promise<Scratch> {
  const name = `ll_bench_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  let dropping: Promise<void> | undefined;
  return {
    name,
    url: withDatabaseName(adminUrl, name),
    drop() {
      dropping ??= (async () => {
        const cleaner = postgres(adminUrl, { max: 1, onnotice: () => {} });
        try {
          await cleaner.unsafe(`drop database if exists "${name}" with (force)`);
        } finally {
          await cleaner.end({ timeout: 5 });
        }
      })();
      return dropping;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Statistics and output

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** p50 and p95 (nearest rank) of latencies in ms. */
export function p50p95(times: number[], digits = 3): { p50Ms: number; p95Ms: number; maxMs: number } {
  const sorted = Float64Array.from(times).sort();
  return {
    p50Ms: round(percentile(sorted, 50), digits),
    p95Ms: round(percentile(sorted, 95), digits),
    maxMs: round(percentile(sorted, 100), digits),
  };
}

/** A deterministic PRNG (mulberry32): the same seed builds the same data set in every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function latencySummary(times: number[], digits = 2): { p50Ms: number; p99Ms: number; maxMs: number } {
  const sorted = Float64Array.from(times).sort();
  return {
    p50Ms: round(percentile(sorted, 50), digits),
    p99Ms: round(percentile(sorted, 99), digits),
    maxMs: round(percentile(sorted, 100), digits),
  };
}

/** A Markdown table: first column left-aligned, the others right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, col) => Math.max(...cells.map((row) => (row[col] ?? "").length)));
  const pad = (cell: string, col: number) => (col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0));
  const line = (row: string[]) => `| ${row.map(pad).join(" | ")} |`;
  const rule = `|${widths.map((w, col) => (col === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(cells[0] ?? []), rule, ...cells.slice(1).map(line)].join("\n");
}

export function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

export function benchMetadata(): CommandMetadata {
  return { now: new Date(), actor: { id: "bench", role: "system" }, origin: "cli" };
}

// ---------------------------------------------------------------------------------------------
// CPU accounting: is the machine (shared, 2 cores) the limit?

export type CpuMark = { at: number; node: NodeJS.CpuUsage; machine: { busy: number; total: number } | null };

function machineCpu(): { busy: number; total: number } | null {
  try {
    const first = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    // cpu user nice system idle iowait irq softirq steal
    const fields = first.trim().split(/\s+/).slice(1, 9).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    const total = fields.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null; // not Linux
  }
}

export const cpuMark = (): CpuMark => ({ at: performance.now(), node: process.cpuUsage(), machine: machineCpu() });

/** Share of all cores busy (every process on the machine), and this Node process's share of one core. */
export function cpuBetween(from: CpuMark, to: CpuMark): { machineCpuBusyPercent: number | null; nodeCpuPercentOfOneCore: number } {
  const nodeUs = to.node.user - from.node.user + (to.node.system - from.node.system);
  const wallUs = (to.at - from.at) * 1000;
  const machine =
    from.machine && to.machine && to.machine.total > from.machine.total
      ? round((100 * (to.machine.busy - from.machine.busy)) / (to.machine.total - from.machine.total), 1)
      : null;
  return { machineCpuBusyPercent: machine, nodeCpuPercentOfOneCore: round((100 * nodeUs) / wallUs, 1) };
}
