/**
 * Observations that explain the benchmark's figures: what the Postgres backends wait on, which
 * statements a deposit sends and how long each step takes, what one statement costs through each
 * client path, the plan of the load statement, and a what-if variant of the load.
 */
import { performance } from "node:perf_hooks";

import { and, desc, eq, sql } from "drizzle-orm";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";

import { depositMoney, type CommandContext } from "../lib/commands/accounts";
import type { Database } from "../lib/db/client";
import * as schema from "../lib/db/schema";
import { snapshots } from "../lib/db/schema";
import { accountEventCodec } from "../lib/domain/account/codec";
import { accountDecider } from "../lib/domain/account/decider";
import type { AccountState } from "../lib/domain/account/state";
import { loadAggregate, type SnapshotPolicy } from "../lib/event-store/load";
import { readStream } from "../lib/event-store/read";
import { benchMetadata, latencySummary, median, round, sleep, type Scratch } from "./support";

/** Drizzle over a plain postgres.js client, so the client's `debug` hook sees every statement. */
export function drizzleOver(client: postgres.Sql): Database {
  return drizzlePostgres({ client, schema });
}

// ---------------------------------------------------------------------------------------------
// pg_stat_activity sampling

/** Backend state → number of samples. */
export type WaitSample = Record<string, number>;

/**
 * Samples, every 20 ms, what the scratch database's client backends are doing: waiting for a lock,
 * for WAL, for the client (Node), or running. Only samples taken while `counting()` are kept.
 */
export function startWaitSampler(scratch: Scratch, counting: () => boolean): { stop: () => Promise<WaitSample> } {
  const client = postgres(scratch.url, { max: 1, onnotice: () => {} });
  const counts: WaitSample = {};
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const rows = await client<{ what: string }[]>`
          select case
                   when state = 'idle' then 'idle (in the pool, between commands)'
                   when state = 'idle in transaction' then 'idle in transaction (waiting on Node)'
                   when wait_event is null then 'active: running'
                   else 'active: ' || wait_event_type || '/' || wait_event
                 end as what
          from pg_stat_activity
          where datname = ${scratch.name} and pid <> pg_backend_pid() and backend_type = 'client backend'`;
        if (counting()) for (const row of rows) counts[row.what] = (counts[row.what] ?? 0) + 1;
      } catch {
        // sampling is best-effort
      }
      await sleep(20);
    }
  })();
  let stopped: Promise<WaitSample> | undefined;
  return {
    stop() {
      running = false;
      stopped ??= loop.then(() => client.end({ timeout: 5 })).then(() => counts);
      return stopped;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// What one statement costs

export type Latency = { p50Ms: number; p99Ms: number };
export type StatementCosts = {
  drizzleNoParameter: Latency;
  drizzleOneParameter: Latency;
  postgresJsPrepared: Latency;
};

/**
 * One trivial statement inside a transaction, three ways. Drizzle sends every query unnamed
 * (`prepare: false` unless `.prepare(name)` is used), and postgres.js sends an unnamed statement that
 * has parameters as Parse/Describe, waits for the parameter types, then Bind/Execute: two round
 * trips and a fresh parse and plan. A postgres.js prepared statement is one Bind/Execute.
 */
export async function statementCosts(scratch: Scratch, count = 500): Promise<StatementCosts> {
  const client = postgres(scratch.url, { max: 1, onnotice: () => {} });
  const db = drizzleOver(client);
  const time = async (run: () => Promise<unknown>): Promise<Latency> => {
    const times: number[] = [];
    for (let i = 0; i < count + 50; i++) {
      const t0 = performance.now();
      await run();
      if (i >= 50) times.push(performance.now() - t0);
    }
    const { p50Ms, p99Ms } = latencySummary(times, 3);
    return { p50Ms, p99Ms };
  };
  try {
    const viaDrizzle = await db.transaction(async (tx) => ({
      drizzleNoParameter: await time(() => tx.execute(sql`select 1`)),
      drizzleOneParameter: await time(() => tx.execute(sql`select ${1}::int`)),
    }));
    const postgresJsPrepared = await client.begin((inner) => time(() => inner`select ${1}::int`));
    return { ...viaDrizzle, postgresJsPrepared };
  } finally {
    await client.end({ timeout: 5 });
  }
}

// ---------------------------------------------------------------------------------------------
// Where a deposit's time goes

export type StatementProfile = {
  statementsPerCommand: number;
  /** Per statement: how many per command, and the median ms from sending it to sending the next. */
  statements: { text: string; perCommand: number; medianMsUntilNext: number }[];
  /** From calling depositMoney to its first statement (validation, building the command). */
  medianMsBeforeFirstStatement: number;
  medianMsPerCommand: number;
};

/**
 * Runs deposits one after another on one connection, watching its statements through the postgres.js
 * `debug` hook (called as each statement is sent). The time from one statement's send to the next's
 * is Postgres executing it, the round trip(s), and Node handling the reply and building the next
 * statement; for `commit`, until depositMoney returns.
 */
export async function profileDeposits(
  scratch: Scratch,
  settings: Omit<CommandContext, "db">,
  accountId: string,
  commands: number,
): Promise<StatementProfile> {
  let sent: { key: string; at: number }[] = [];
  const client = postgres(scratch.url, {
    max: 1,
    onnotice: () => {},
    debug: (_connection, query) => sent.push({ key: query.replace(/\s+/g, " ").trim().slice(0, 70), at: performance.now() }),
  });
  const ctx: CommandContext = { ...settings, db: drizzleOver(client) };
  const counts = new Map<string, number>();
  const gaps = new Map<string, number[]>();
  const before: number[] = [];
  const totals: number[] = [];
  let total = 0;
  try {
    await depositMoney(ctx, { accountId, amount: 1n, reference: "warm-up" }, benchMetadata());
    for (let i = 0; i < commands; i++) {
      sent = [];
      const t0 = performance.now();
      await depositMoney(ctx, { accountId, amount: 1n, reference: "profile" }, benchMetadata());
      const t1 = performance.now();
      totals.push(t1 - t0);
      before.push((sent[0]?.at ?? t1) - t0);
      sent.forEach(({ key, at }, index) => {
        total++;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        const list = gaps.get(key) ?? [];
        list.push((sent[index + 1]?.at ?? t1) - at);
        gaps.set(key, list);
      });
    }
  } finally {
    await client.end({ timeout: 5 });
  }
  return {
    statementsPerCommand: round(total / commands, 2),
    statements: [...counts.entries()].map(([text, count]) => ({
      text,
      perCommand: round(count / commands, 2),
      medianMsUntilNext: round(median(gaps.get(text) ?? []), 3),
    })),
    medianMsBeforeFirstStatement: round(median(before), 3),
    medianMsPerCommand: round(median(totals), 3),
  };
}

// ---------------------------------------------------------------------------------------------
// The load statement's plan

export type Plan = { stream: string; planCacheMode: string; lines: string[] };

/**
 * EXPLAIN ANALYZE of the statement loadAggregate sends (captured from the driver, not copied here),
 * under each plan_cache_mode given: "force_custom_plan" is what Drizzle's unnamed statements always
 * get (planned for the actual stream id); "force_generic_plan" is what a prepared statement would
 * settle on.
 */
export async function explainLoad(
  scratch: Scratch,
  streamId: string,
  policy: SnapshotPolicy<AccountState>,
  label: string,
  modes: string[],
): Promise<Plan[]> {
  let captured: { query: string; parameters: unknown[] } | undefined;
  const client = postgres(scratch.url, {
    max: 1,
    onnotice: () => {},
    debug: (_connection, query, parameters) => {
      if (query.includes("with snap")) captured ??= { query, parameters: parameters as unknown[] };
    },
  });
  const plans: Plan[] = [];
  try {
    await loadAggregate(drizzleOver(client), { streamId, decider: accountDecider, codec: accountEventCodec, snapshot: policy });
    if (!captured) return plans;
    const literals = captured.parameters.map((value) => `'${String(value).replace(/'/g, "''")}'`).join(", ");
    for (const mode of modes) {
      await client.unsafe(`set plan_cache_mode = ${mode}`);
      await client.unsafe(`prepare bench_load as ${captured.query}`);
      try {
        const rows = await client.unsafe(`explain (analyze, buffers, costs off) execute bench_load(${literals})`);
        plans.push({ stream: label, planCacheMode: mode, lines: rows.map((row) => String(row["QUERY PLAN"])) });
      } finally {
        await client.unsafe(`deallocate bench_load`);
      }
    }
  } finally {
    await client.end({ timeout: 5 });
  }
  return plans;
}

// ---------------------------------------------------------------------------------------------
// What-if: the load as two statements

/**
 * Not lib code: the same load as two statements, the newest usable snapshot and then `readStream`
 * after its position. The second statement carries the position as a value the planner can see,
 * where loadAggregate's single statement hides it in `coalesce((select … from snap), 0)`.
 */
export async function loadInTwoStatements(db: Database, streamId: string, policy: SnapshotPolicy<AccountState>) {
  const [snap] = await db
    .select({ position: snapshots.streamPosition, state: snapshots.state })
    .from(snapshots)
    .where(and(eq(snapshots.streamId, streamId), eq(snapshots.stateSchemaVersion, policy.schemaVersion)))
    .orderBy(desc(snapshots.streamPosition))
    .limit(1);
  let state = snap ? policy.decode(snap.state) : accountDecider.initialState();
  let version = snap?.position ?? 0n;
  const tail = await readStream(db, streamId, { after: version });
  for (const raw of tail) {
    state = accountDecider.evolve(state, accountEventCodec.decode(raw.type, raw.schemaVersion, raw.data));
    version = raw.streamPosition;
  }
  return { state, version, eventsReplayed: tail.length };
}

// ---------------------------------------------------------------------------------------------
// Any statement's plan, and where a long operation's time goes

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the first statement `run` sends whose text includes `match`,
 * captured from the driver with its parameters and planned for them (force_custom_plan, as
 * Drizzle's unnamed statements are). `run` gets a Drizzle database over a one-connection client.
 */
export async function explainCaptured(url: string, match: string, run: (db: Database) => Promise<unknown>): Promise<string[]> {
  let captured: { query: string; parameters: unknown[] } | undefined;
  const client = postgres(url, {
    max: 1,
    onnotice: () => {},
    debug: (_connection, query, parameters) => {
      if (query.includes(match)) captured ??= { query, parameters: parameters as unknown[] };
    },
  });
  try {
    await run(drizzleOver(client));
    if (!captured) return [`(no statement containing "${match}" was sent)`];
    const literals = captured.parameters.map((value) => `'${String(value).replace(/'/g, "''")}'`).join(", ");
    await client.unsafe(`set plan_cache_mode = force_custom_plan`);
    await client.unsafe(`prepare bench_explain as ${captured.query}`);
    const rows = await client.unsafe(`explain (analyze, buffers, costs off) execute bench_explain${literals ? `(${literals})` : ""}`);
    return rows.map((row) => String(row["QUERY PLAN"]));
  } finally {
    await client.end({ timeout: 5 });
  }
}

export type Phase = { phase: string; statements: number; ms: number };

/**
 * A Drizzle database whose statements are timed: `phases()` adds up, per label that `label` gives a
 * statement's text, the time from sending it to sending the next one (or to `phases()` being
 * called, for the last). Time before the first statement counts as "(before the first statement)".
 * That time is Postgres running the statement plus whatever Node did before sending the next one.
 */
export function timedDatabase(url: string, label: (text: string) => string): { db: Database; phases: () => Phase[]; close: () => Promise<void> } {
  const started = performance.now();
  const sent: { label: string; at: number }[] = [];
  const client = postgres(url, {
    max: 1,
    onnotice: () => {},
    debug: (_connection, query) => sent.push({ label: label(query.replace(/\s+/g, " ").trim()), at: performance.now() }),
  });
  return {
    db: drizzleOver(client),
    phases() {
      const now = performance.now();
      const totals = new Map<string, Phase>();
      const add = (phase: string, ms: number) => {
        const entry = totals.get(phase) ?? { phase, statements: 0, ms: 0 };
        entry.statements++;
        entry.ms += ms;
        totals.set(phase, entry);
      };
      if (sent[0]) totals.set("(before the first statement)", { phase: "(before the first statement)", statements: 0, ms: sent[0].at - started });
      sent.forEach(({ label: phase, at }, index) => add(phase, (sent[index + 1]?.at ?? now) - at));
      return [...totals.values()].map((p) => ({ ...p, ms: round(p.ms, 1) }));
    },
    close: () => client.end({ timeout: 5 }),
  };
}
