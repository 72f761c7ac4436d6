import { describe, expect, it } from "vitest";

import {
  cpuByGroup,
  machineBusySeconds,
  machineShares,
  parseProcessStat,
  parseProcStat,
  postgresBackendDatabase,
  processTree,
  type ProcessRow,
} from "@/bench/cpu";

describe("parseProcStat", () => {
  it("reads the aggregate cpu line, not a per-core one, and leaves guest time out (it is inside user)", () => {
    const text = ["cpu  30474 7 10229 50183 853 11 1263 472 900 5", "cpu0 14524 0 4405 27055 120 0 474 227 0 0", "intr 951802 0 0"].join("\n");
    expect(parseProcStat(text)).toEqual({ user: 30474, nice: 7, system: 10229, idle: 50183, iowait: 853, irq: 11, softirq: 1263, steal: 472 });
  });

  it("reads an older kernel's shorter line as zero steal", () => {
    expect(parseProcStat("cpu 10 0 5 85 0 0 0\n")).toMatchObject({ user: 10, idle: 85, steal: 0 });
  });
});

describe("machineShares", () => {
  const at = (t: Partial<Record<"user" | "nice" | "system" | "idle" | "iowait" | "irq" | "softirq" | "steal", number>>) => ({
    user: 0,
    nice: 0,
    system: 0,
    idle: 0,
    iowait: 0,
    irq: 0,
    softirq: 0,
    steal: 0,
    ...t,
  });

  it("gives each kind's share of all ticks that passed, nice in user, irq and softirq in system", () => {
    const from = at({ user: 1000, nice: 10, system: 500, idle: 4000, iowait: 20, irq: 1, softirq: 50, steal: 5 });
    // 200 ticks passed: 2 cores for 1 s at USER_HZ 100.
    const to = at({ user: 1090, nice: 20, system: 530, idle: 4030, iowait: 30, irq: 1, softirq: 60, steal: 25 });
    expect(machineShares(from, to)).toEqual({ userPercent: 50, systemPercent: 20, iowaitPercent: 5, stealPercent: 10, idlePercent: 15 });
  });

  it("counts busy seconds over all cores: user, nice, system, irq and softirq, not iowait, steal or idle", () => {
    const from = at({});
    expect(machineBusySeconds(from, at({ user: 90, nice: 10, system: 30, irq: 5, softirq: 15, iowait: 40, steal: 50, idle: 60 }))).toBe(1.5);
  });

  it("has no shares when no tick passed", () => {
    expect(machineShares(at({ user: 5 }), at({ user: 5 }))).toBeNull();
  });
});

describe("parseProcessStat", () => {
  it("cuts the name at the last parenthesis, so a name with spaces and parentheses does not shift the fields", () => {
    const text = "4242 (my (odd) proc) S 17 4242 4242 0 -1 4194304 100 0 0 0 250 40 7 3 20 0 1 0 98765 3133440 359 18446744073709551615\n";
    expect(parseProcessStat(text)).toEqual({
      pid: 4242,
      ppid: 17,
      comm: "my (odd) proc",
      startTicks: 98765,
      userTicks: 250,
      systemTicks: 40,
      childrenTicks: 10,
      childrenSystemTicks: 3,
    });
  });
});

describe("postgresBackendDatabase", () => {
  it.each([
    ["postgres: 15/main: postgres ll_bench_1_ab 127.0.0.1(51418) idle", "ll_bench_1_ab"],
    ["postgres: alice shop [local] SELECT", "shop"],
    ["postgres: bob ledger ::1(40000) idle in transaction", "ledger"],
  ])("reads the database of the client backend %j", (title, database) => {
    expect(postgresBackendDatabase(title)).toBe(database);
  });

  it.each([
    "postgres: 15/main: checkpointer",
    "postgres: 15/main: logical replication launcher",
    "postgres: autovacuum worker shop",
    "/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main",
  ])("sees no client backend in %j", (title) => {
    expect(postgresBackendDatabase(title)).toBeNull();
  });
});

describe("cpuByGroup", () => {
  const row = (pid: number, ppid: number, own: number, children = 0, comm = "x", startTicks = 1): ProcessRow => ({
    pid,
    ppid,
    comm,
    startTicks,
    userTicks: own,
    systemTicks: 0,
    childrenTicks: children,
    childrenSystemTicks: 0,
  });
  const byComm = (r: ProcessRow) => ({ own: r.comm, children: r.comm });

  it("counts each living process's ticks since the first reading, and all of a new process's", () => {
    const from = [row(1, 0, 100, 0, "pg"), row(2, 1, 50, 0, "pg")];
    const to = [row(1, 0, 130, 0, "pg"), row(2, 1, 90, 0, "pg"), row(3, 1, 25, 0, "pg")];
    expect(cpuByGroup(from, to, byComm)).toEqual({ pg: 0.95 });
  });

  it("counts a process that exited in between only for its time inside the window", () => {
    // Process 2 had used 50 ticks before the window, ran 20 more and exited; its parent reaped it,
    // so the parent's children time rose by all 70.
    const from = [row(1, 0, 100, 0, "pg"), row(2, 1, 50, 0, "pg")];
    const to = [row(1, 0, 100, 70, "pg")];
    expect(cpuByGroup(from, to, byComm)).toEqual({ pg: 0.2 });
  });

  it("does not mistake a reused pid for the same process", () => {
    const from = [row(7, 1, 500, 0, "node", 10)];
    const to = [row(7, 1, 30, 0, "node", 99)];
    expect(cpuByGroup(from, to, byComm)).toEqual({ node: 0.3 });
  });

  it("sends reaped children's time to the group the classifier names", () => {
    // The bench's own time is the generator; pgbench, its child, shows up in its children time.
    const from = [row(10, 1, 100, 0, "bench")];
    const to = [row(10, 1, 140, 300, "bench")];
    expect(cpuByGroup(from, to, (r) => ({ own: r.comm, children: "pgbench" }))).toEqual({ bench: 0.4, pgbench: 3 });
  });

  it("counts system time alone when asked for the kernel's share", () => {
    const from = [{ ...row(1, 0, 0), userTicks: 100, systemTicks: 20 }];
    const to = [{ ...row(1, 0, 0), userTicks: 180, systemTicks: 35, childrenTicks: 40, childrenSystemTicks: 10 }];
    expect(cpuByGroup(from, to, byComm, "kernel")).toEqual({ x: 0.25 });
    expect(cpuByGroup(from, to, byComm)).toEqual({ x: 1.35 });
  });
});

describe("processTree", () => {
  it("finds the descendants of the roots and nothing else", () => {
    const rows = [1, 2, 3, 4, 5].map((pid) => ({
      pid,
      ppid: [0, 1, 2, 0, 4][pid - 1] as number,
      comm: "x",
      startTicks: 1,
      userTicks: 0,
      systemTicks: 0,
      childrenTicks: 0,
      childrenSystemTicks: 0,
    }));
    expect([...processTree(rows, [2])].sort()).toEqual([2, 3]);
  });
});
