/**
 * CPU accounting for `npm run bench` from Linux's /proc: the whole machine (/proc/stat) and the
 * processes by group (servers, Postgres, the generator, everything else). The parsers and the
 * delta arithmetic are pure, so they are unit-tested (tests/unit/bench-cpu.test.ts).
 */
import { readdirSync, readFileSync } from "node:fs";

/** USER_HZ: /proc reports CPU time in these ticks; Linux fixes it at 100 for user space. */
export const TICKS_PER_SECOND = 100;

// ---------------------------------------------------------------------------------------------
// The machine: /proc/stat

/** The aggregate `cpu` line of /proc/stat, in ticks summed over all cores. */
export type MachineTicks = { user: number; nice: number; system: number; idle: number; iowait: number; irq: number; softirq: number; steal: number };

export function parseProcStat(text: string): MachineTicks {
  const line = text.split("\n").find((l) => /^cpu\s/.test(l));
  if (!line) throw new Error("no aggregate cpu line in /proc/stat");
  // cpu user nice system idle iowait irq softirq steal guest guest_nice. Guest time is already
  // part of user and nice, so it is not read (it would count twice); older kernels stop earlier.
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { user, nice, system, idle, iowait, irq, softirq, steal };
}

/** Shares of all cores between two readings, in percent (all cores = 100; they add up to 100). */
export type MachineShares = { userPercent: number; systemPercent: number; iowaitPercent: number; stealPercent: number; idlePercent: number };

export function machineShares(from: MachineTicks, to: MachineTicks): MachineShares | null {
  const d = (key: keyof MachineTicks) => Math.max(0, to[key] - from[key]);
  const user = d("user") + d("nice");
  const system = d("system") + d("irq") + d("softirq"); // loopback networking is largely softirq
  const parts = [user, system, d("iowait"), d("steal"), d("idle")] as const;
  const total = parts.reduce((a, b) => a + b, 0);
  if (total === 0) return null; // no tick passed: no share to report
  const [u, s, io, st, id] = parts.map((ticks) => round1((100 * ticks) / total)) as [number, number, number, number, number];
  return { userPercent: u, systemPercent: s, iowaitPercent: io, stealPercent: st, idlePercent: id };
}

/** CPU seconds the machine was busy (user, nice, system, irq, softirq), summed over all cores. */
export function machineBusySeconds(from: MachineTicks, to: MachineTicks): number {
  const d = (key: keyof MachineTicks) => Math.max(0, to[key] - from[key]);
  return (d("user") + d("nice") + d("system") + d("irq") + d("softirq")) / TICKS_PER_SECOND;
}

export function readMachineTicks(): MachineTicks | null {
  try {
    return parseProcStat(readFileSync("/proc/stat", "utf8"));
  } catch {
    return null; // not Linux
  }
}

// ---------------------------------------------------------------------------------------------
// Processes: /proc/<pid>/stat

/** One process: its own CPU and that of its reaped children (cutime + cstime), in ticks. */
export type ProcessRow = {
  pid: number;
  ppid: number;
  comm: string;
  startTicks: number;
  userTicks: number;
  systemTicks: number;
  childrenTicks: number;
  childrenSystemTicks: number;
  title?: string;
};

export function parseProcessStat(text: string): ProcessRow {
  // The name sits in parentheses and may itself contain spaces and parentheses: cut at the last ")".
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${text.slice(0, 80)}`);
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14) … starttime(19)
  const at = (i: number) => Number(fields[i] ?? Number.NaN);
  return {
    pid: Number(text.slice(0, open).trim()),
    ppid: at(1),
    comm: text.slice(open + 1, close),
    startTicks: at(19),
    userTicks: at(11),
    systemTicks: at(12),
    childrenTicks: at(13) + at(14),
    childrenSystemTicks: at(14),
  };
}

/**
 * Postgres's process title (cmdline), e.g. `postgres: 15/main: alice shop 127.0.0.1(51418) idle`:
 * the database of a client backend, or null for the postmaster and background processes
 * (checkpointer, WAL writer, autovacuum, …). The cluster name prefix is optional.
 */
export function postgresBackendDatabase(title: string): string | null {
  const match = /^postgres: (?:.*?: )?(\S+) (\S+) (?:\S+\(\d+\)|\[local\])(?:\s|$)/.exec(title.trim());
  return match ? (match[2] as string) : null;
}

export const isPostgres = (row: ProcessRow) => row.comm.startsWith("postgres") || row.comm.startsWith("postmaster");

/** All processes now; Postgres processes carry their title, to tell databases apart. */
export function readProcesses(): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const row = parseProcessStat(readFileSync(`/proc/${entry}/stat`, "utf8"));
      if (isPostgres(row)) row.title = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      rows.push(row);
    } catch {
      // the process ended while we read
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// CPU per group between two readings

/**
 * Which group a process's own time goes to, and which its reaped children's time goes to (the
 * children of the postmaster are backends that exited; the children of the bench are pgbench).
 */
export type Classify<G extends string> = (row: ProcessRow) => { own: G; children: G };

const processKey = (row: ProcessRow) => `${row.pid}:${row.startTicks}`; // pids are reused

/**
 * CPU seconds per group between two readings of all processes. A process that exited in between
 * is gone from `to`, and its whole lifetime shows up in its parent's children time once reaped;
 * its time before `from` is taken off again, so only time spent inside the window counts.
 * One case stays wrong: a process orphaned before it exits is reaped by init or a subreaper, not
 * the parent on record, so its earlier time is not taken off there. The bench's groups (servers,
 * Postgres under its postmaster) are not orphaned; unrelated processes are, which is why the bench
 * derives "other work" from the machine's busy time instead. `kind: "kernel"` counts system time only.
 */
export function cpuByGroup<G extends string>(
  from: ProcessRow[],
  to: ProcessRow[],
  classify: Classify<G>,
  kind: "all" | "kernel" = "all",
): Partial<Record<G, number>> {
  const own = (row: ProcessRow) => (kind === "all" ? row.userTicks + row.systemTicks : row.systemTicks);
  const reaped = (row: ProcessRow) => (kind === "all" ? row.childrenTicks : row.childrenSystemTicks);
  const ticks = new Map<G, number>();
  const add = (group: G, value: number) => ticks.set(group, (ticks.get(group) ?? 0) + value);
  const before = new Map(from.map((row) => [processKey(row), row]));
  const alive = new Set<string>();
  const now = new Map(to.map((row) => [row.pid, row]));
  for (const row of to) {
    const key = processKey(row);
    alive.add(key);
    const prev = before.get(key);
    const groups = classify(row);
    add(groups.own, own(row) - (prev ? own(prev) : 0));
    add(groups.children, reaped(row) - (prev ? reaped(prev) : 0));
  }
  for (const row of from) {
    if (alive.has(processKey(row))) continue;
    const parent = now.get(row.ppid);
    if (parent) add(classify(parent).children, -(own(row) + reaped(row)));
  }
  return Object.fromEntries([...ticks].map(([group, value]) => [group, value / TICKS_PER_SECOND])) as Partial<Record<G, number>>;
}

/** Pids of `roots` and all their descendants in `rows`. */
export function processTree(rows: ProcessRow[], roots: number[]): Set<number> {
  const children = new Map<number, number[]>();
  for (const row of rows) children.set(row.ppid, [...(children.get(row.ppid) ?? []), row.pid]);
  const tree = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const pid = stack.pop() as number;
    if (tree.has(pid)) continue;
    tree.add(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return tree;
}

const round1 = (value: number) => Number(value.toFixed(1));
