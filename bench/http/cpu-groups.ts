import os from "node:os";

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
} from "../cpu";
import { type TrafficFigures } from "../load";
import { round } from "../support";
import { type Baseline } from "./baseline";

// ---------------------------------------------------------------------------------------------
// CPU accounting per process group (bench/cpu.ts): is it Node (servers), Postgres, the generator,
// or other work on the shared machine?

type CpuSampleAt = { at: number; machine: MachineTicks | null; processes: ProcessRow[] };

export const cpuSample = (): CpuSampleAt => ({ at: performance.now(), machine: readMachineTicks(), processes: readProcesses() });

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

export type CpuFigures = {
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

export function cpuBetween(from: CpuSampleAt, to: CpuSampleAt, serverPids: number[], database: string): CpuFigures {
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
export function cpuPerUnit(cpu: CpuFigures, figures: TrafficFigures, baseline: Baseline) {
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

export const machineLine = (machine: MachineShares | null, cores: number) =>
  machine
    ? `machine CPU (% of all ${cores} cores): user ${machine.userPercent}, system ${machine.systemPercent}, iowait ${machine.iowaitPercent}, steal ${machine.stealPercent}, idle ${machine.idlePercent}`
    : "machine CPU: /proc/stat not readable";
