import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";

import { sql } from "drizzle-orm";
import postgres from "postgres";

import { openDatabase } from "../../lib/db/client";
import { migrateDatabase } from "../../lib/db/migrate";
import { insertRows } from "../../lib/db/rows";
import { accountSummary, auditLog, statementEntries, type AccountSummaryRow, type AuditLogRow, type StatementEntryRow } from "../../lib/db/schema";
import { accountNumberFromDigits } from "../../lib/domain/account/account-number";
import { accountEventCodec } from "../../lib/domain/account/codec";
import { ACCOUNT_STREAM_TYPE, accountStreamId } from "../../lib/domain/account/decider";
import { type AccountEvent } from "../../lib/domain/account/events";
import { eventMetadata } from "../../lib/event-store/handle-command";
import { projectAccountRun, type AccountStoredEvent } from "../../lib/projections/account-projection";
import { bulkSql } from "../../lib/projections/bulk";
import { rebuildProjections, verifyProjections } from "../../lib/projections/rebuild";
import { currentSnapshot, readPage } from "../../lib/projections/replay";
import { readStatementPage, type StatementFilter } from "../../lib/read-models/accounts";
import { drizzleOver, explainCaptured } from "../diagnostics";
import { benchMetadata, cpuBetween, cpuMark, log, p50p95, round, seededRandom, type Scratch } from "../support";
import {
  LARGE_BATCH,
  LARGE_END,
  LARGE_EVENTS,
  LARGE_SPAN_DAYS,
  LARGE_VERIFY,
  LONG_STREAM_SHARES,
  STATEMENT_PAGE_SIZE,
  STATEMENT_RUNS,
  TARGET_REBUILD_EVENTS_PER_SECOND,
  TARGET_STATEMENT_P95_MS,
} from "./settings";

// ---------------------------------------------------------------------------------------------
// Parts 3 and 4: statement pages and projection rebuild over LARGE_EVENTS account events

export type LargeAccount = {
  id: string;
  number: string;
  /** Events this account gets in the data set. */
  size: number;
  emitted: number;
  entries: number;
  /** The account_summary row as the real projection has it after the events emitted so far. */
  summary: AccountSummaryRow | undefined;
  pending: { transferId: string; amount: bigint } | null;
};

export type LargeDataset = {
  events: number;
  accounts: number;
  rows: { statementEntries: number; auditLog: number; accountSummary: number };
  longStreams: { accountId: string; events: number; entries: number }[];
  smallAccountIds: string[];
  firstRecordedAt: string;
  lastRecordedAt: string;
  buildMs: number;
};

export const COUNTERPARTY = {
  accountId: "00000000-0000-4000-8000-000000000001",
  number: accountNumberFromDigits("99990001"),
  name: "Bench Counterparty Ltd",
};

/**
 * The next event of one account, consistent with its state (withdrawals and holds only from what
 * is available, a capture or release after each hold): 45 % deposits, 25 % withdrawals (refused
 * when the funds are short), 10 % incoming transfers, 10 % outgoing (hold, then capture or
 * release), the rest deposits, and 1.5 % deliberate overdraft attempts, so "rejected" is rare.
 */
export function nextAccountEvent(account: LargeAccount, random: () => number): AccountEvent {
  if (account.emitted === 0) {
    return {
      type: "AccountOpened",
      data: { accountId: account.id, customerId: `bench-large-${account.number.slice(-4)}`, currency: "EUR", number: account.number, nickname: null },
    };
  }
  const available = account.summary?.available ?? 0n;
  if (account.pending) {
    const { transferId, amount } = account.pending;
    account.pending = null;
    if (random() < 0.1) return { type: "ReservationReleased", data: { transferId, amount, reason: "Transfer failed" } };
    return { type: "ReservationCaptured", data: { transferId, amount, counterparty: COUNTERPARTY, reference: "Invoice" } };
  }
  const roll = random();
  const amount = BigInt(1 + Math.floor(random() * 100_000));
  const reference = random() < 0.2 ? "Salary" : null;
  if (roll < 0.25 || (roll >= 0.9 && roll < 0.985)) return { type: "MoneyDeposited", data: { amount, reference } };
  if (roll < 0.5) {
    return amount <= available
      ? { type: "MoneyWithdrawn", data: { amount, reference } }
      : { type: "WithdrawalRejected", data: { amount, reference, code: "INSUFFICIENT_FUNDS", available } };
  }
  if (roll < 0.6) return { type: "TransferCredited", data: { transferId: randomUUID(), amount, counterparty: COUNTERPARTY, reference } };
  if (roll < 0.7 && amount <= available) {
    account.pending = { transferId: randomUUID(), amount };
    return { type: "FundsReserved", data: { transferId: account.pending.transferId, amount } };
  }
  if (roll < 0.9) return { type: "MoneyDeposited", data: { amount, reference } };
  return { type: "WithdrawalRejected", data: { amount: available + amount, reference: null, code: "INSUFFICIENT_FUNDS", available } };
}

/**
 * Writes `total` account events with the projection rows the real code makes of them. Three long
 * streams hold 20 %, 10 % and 5 % of the events; the rest go to accounts of 20–180 events. Events of
 * all accounts are interleaved in global order (as in production, so a long stream's rows are spread
 * over the heap), with recorded_at spread evenly over LARGE_SPAN_DAYS up to LARGE_END.
 *
 * Rows are built by `projectAccountRun`, the inline projection's own fold, and written by
 * `insertRows`, its own serializer; the events get explicit global positions
 * (1…total, identity sequence moved past them), so no read-back is needed. `verifyProjections`
 * proves the rows equal a replay (BENCH_LARGE_VERIFY=1).
 */
export async function buildLargeDataset(url: string, total: number): Promise<LargeDataset> {
  const t0 = performance.now();
  const random = seededRandom(20261123);
  const accounts: LargeAccount[] = [];
  const addAccount = (size: number) =>
    accounts.push({
      id: randomUUID(),
      number: accountNumberFromDigits(String(accounts.length + 1).padStart(8, "0")),
      size,
      emitted: 0,
      entries: 0,
      summary: undefined,
      pending: null,
    });
  for (const share of LONG_STREAM_SHARES) addAccount(Math.max(2, Math.floor(total * share)));
  let left = total - accounts.reduce((sum, a) => sum + a.size, 0);
  while (left > 0) {
    const size = Math.min(left, 20 + Math.floor(random() * 161));
    addAccount(size);
    left -= size;
  }
  // One slot per event, naming its account, shuffled: the global order interleaves all accounts.
  const slots = new Int32Array(total);
  let filled = 0;
  accounts.forEach((account, index) => slots.fill(index, filled, (filled += account.size)));
  for (let i = total - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = slots[i] as number;
    slots[i] = slots[j] as number;
    slots[j] = swap;
  }

  // Three connections: events, statement_entries and audit_log of a batch go in parallel while
  // Node builds the next batch. synchronous_commit=off only speeds up this set-up.
  const client = postgres(url, { max: 3, onnotice: () => {}, connection: { synchronous_commit: "off" } });
  const db = drizzleOver(client);
  const metadata = eventMetadata(benchMetadata());
  const end = Date.parse(LARGE_END);
  const step = (LARGE_SPAN_DAYS * 86_400_000) / total;
  const counts = { statementEntries: 0, auditLog: 0, accountSummary: 0 };
  const inFlight: Promise<unknown>[] = [];
  try {
    // Indexes and key constraints are dropped for the load and made again after it from their own
    // definitions (the schema ends as migrated): sorted builds are far cheaper than a million
    // random-order inserts into each index.
    const indexes = await client<{ name: string; definition: string }[]>`
      select i.indexname as name, i.indexdef as definition
        from pg_indexes i
       where i.schemaname = current_schema() and i.tablename in ('events', 'statement_entries', 'audit_log')
         and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`;
    const constraints = await client<{ table: string; name: string; definition: string }[]>`
      select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as definition
        from pg_constraint
       where conrelid in ('events'::regclass, 'statement_entries'::regclass, 'audit_log'::regclass) and contype in ('p', 'u')`;
    for (const index of indexes) await client.unsafe(`drop index "${index.name}"`);
    for (const c of constraints) await client.unsafe(`alter table ${c.table} drop constraint "${c.name}"`);
    for (let from = 0; from < total; from += LARGE_BATCH) {
      const eventRows: Record<string, unknown>[] = [];
      const statement: StatementEntryRow[] = [];
      const audit: AuditLogRow[] = [];
      for (let i = from; i < Math.min(total, from + LARGE_BATCH); i++) {
        const account = accounts[slots[i] as number] as LargeAccount;
        const event = nextAccountEvent(account, random);
        const encoded = accountEventCodec.encode(event);
        const stored: AccountStoredEvent = {
          globalPosition: BigInt(i + 1),
          transactionId: "0",
          streamId: accountStreamId(account.id),
          streamType: ACCOUNT_STREAM_TYPE,
          streamPosition: BigInt(++account.emitted),
          eventId: randomUUID(),
          schemaVersion: encoded.schemaVersion,
          type: event.type,
          data: event.data,
          metadata,
          recordedAt: new Date(end - (total - i) * step),
          event,
        };
        const run = projectAccountRun(account.summary, [stored]);
        account.summary = run.summary;
        account.entries += run.statement.length;
        statement.push(...run.statement);
        audit.push(...run.audit);
        eventRows.push({
          global_position: String(stored.globalPosition),
          stream_id: stored.streamId,
          stream_type: stored.streamType,
          stream_position: String(stored.streamPosition),
          event_id: stored.eventId,
          event_type: encoded.type,
          schema_version: encoded.schemaVersion,
          data: encoded.data,
          metadata,
          recorded_at: stored.recordedAt.toISOString(),
        });
      }
      counts.statementEntries += statement.length;
      counts.auditLog += audit.length;
      const batch = Promise.all([
        db.execute(sql`
          insert into events (${sql.raw(EVENT_COLUMNS.join(", "))}) overriding system value
          select ${sql.raw(EVENT_COLUMNS.join(", "))} from jsonb_populate_recordset(null::events, ${JSON.stringify(eventRows)}::jsonb)`),
        statement.length > 0 ? db.execute(insertRows(statementEntries, statement)) : undefined,
        audit.length > 0 ? db.execute(insertRows(auditLog, audit)) : undefined,
      ]);
      batch.catch(() => undefined); // awaited below; this only keeps an early failure from being "unhandled"
      inFlight.push(batch);
      if (inFlight.length >= 2) await inFlight.shift();
      if ((from / LARGE_BATCH) % 40 === 39) log(`    ${(from + LARGE_BATCH).toLocaleString("en")} events written`);
    }
    await Promise.all(inFlight);
    const summaries = accounts.flatMap((a) => (a.summary ? [a.summary] : []));
    counts.accountSummary = summaries.length;
    for (let from = 0; from < summaries.length; from += LARGE_BATCH) {
      await db.execute(insertRows(accountSummary, summaries.slice(from, from + LARGE_BATCH)));
    }
    await db.execute(sql`
      insert into streams (stream_id, stream_type, version, created_at, updated_at)
      select stream_id, stream_type, max(stream_position), min(recorded_at), max(recorded_at) from events group by stream_id, stream_type`);
    await db.execute(sql`select setval(pg_get_serial_sequence('events', 'global_position'), ${total})`);
    const t1 = performance.now();
    const statements = [
      ...constraints.map((c) => `alter table ${c.table} add constraint "${c.name}" ${c.definition}`),
      ...indexes.map((index) => index.definition),
    ];
    await Promise.all(
      statements.map((statement) =>
        client.begin(async (tx) => {
          await tx.unsafe(`set local maintenance_work_mem = '256MB'`);
          await tx.unsafe(statement);
        }),
      ),
    );
    log(`    ${constraints.length} key constraints and ${indexes.length} indexes made again in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    await db.execute(sql`vacuum analyze events, streams, account_summary, statement_entries, audit_log`);
  } finally {
    await client.end({ timeout: 5 });
  }
  return {
    events: total,
    accounts: accounts.length,
    rows: counts,
    longStreams: accounts.slice(0, LONG_STREAM_SHARES.length).map((a) => ({ accountId: a.id, events: a.size, entries: a.entries })),
    smallAccountIds: accounts.slice(LONG_STREAM_SHARES.length).map((a) => a.id),
    firstRecordedAt: new Date(end - total * step).toISOString(),
    lastRecordedAt: new Date(end - step).toISOString(),
    buildMs: round(performance.now() - t0, 0),
  };
}

export const EVENT_COLUMNS = [
  "global_position",
  "stream_id",
  "stream_type",
  "stream_position",
  "event_id",
  "event_type",
  "schema_version",
  "data",
  "metadata",
  "recorded_at",
];

export type StatementCase = {
  name: string;
  /** Arguments of readStatementPage; called anew for each run (some cases vary the cursor or account). */
  args: () => { accountId: string; filter: StatementFilter; cursor: bigint | undefined };
};

export type StatementRun = {
  name: string;
  runs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  rowsPerPage: number;
  met: boolean;
  plan: string[];
};

/** `date` shifted by `days`, as YYYY-MM-DD. */
export const isoDay = (date: Date, days = 0) => new Date(date.getTime() + days * 86_400_000).toISOString().slice(0, 10);

export function statementCases(data: LargeDataset): StatementCase[] {
  const random = seededRandom(7);
  const [longest] = data.longStreams;
  if (!longest) throw new Error("The large data set has no long stream");
  const long = longest.accountId;
  const all: StatementFilter = { kind: "all" };
  // A month and a day about a year before the newest event, where a newest-first scan is far away.
  const yearBack = new Date(Date.parse(data.lastRecordedAt) - 365 * 86_400_000);
  const month: StatementFilter = { kind: "all", from: isoDay(yearBack), to: isoDay(yearBack, 30) };
  const deepCursor = () => BigInt(1_000 + Math.floor(random() * Math.max(1, longest.events / 2)));
  const small = () => data.smallAccountIds[Math.floor(random() * data.smallAccountIds.length)] as string;
  const label = `${longest.entries.toLocaleString("en")}-entry account`;
  return [
    { name: "first page, random small account", args: () => ({ accountId: small(), filter: all, cursor: undefined }) },
    { name: `first page, ${label}`, args: () => ({ accountId: long, filter: all, cursor: undefined }) },
    { name: `deep page (cursor in the older half), ${label}`, args: () => ({ accountId: long, filter: all, cursor: deepCursor() }) },
    { name: `type=deposit, first page, ${label}`, args: () => ({ accountId: long, filter: { kind: "deposit" }, cursor: undefined }) },
    { name: `type=deposit, deep page, ${label}`, args: () => ({ accountId: long, filter: { kind: "deposit" }, cursor: deepCursor() }) },
    { name: `type=transfer, first page, ${label}`, args: () => ({ accountId: long, filter: { kind: "transfer" }, cursor: undefined }) },
    { name: `type=rejected, first page, ${label}`, args: () => ({ accountId: long, filter: { kind: "rejected" }, cursor: undefined }) },
    { name: `${month.from}..${month.to}, first page, ${label}`, args: () => ({ accountId: long, filter: month, cursor: undefined }) },
    {
      name: `${month.from}..${month.to} + type=deposit, ${label}`,
      args: () => ({ accountId: long, filter: { ...month, kind: "deposit" }, cursor: undefined }),
    },
    {
      name: `one day (${month.from}), first page, ${label}`,
      args: () => ({ accountId: long, filter: { kind: "all", from: month.from, to: month.from }, cursor: undefined }),
    },
    { name: `${month.from}..${month.to}, first page, random small account`, args: () => ({ accountId: small(), filter: month, cursor: undefined }) },
    // Statement search (full-text on reference and counterparty, amount range): a common word, the
    // counterparty's name, an amount range, a word and a range that match nothing (every step of
    // the search runs), and a common word on a deep page.
    { name: `search q=salary, ${label}`, args: () => ({ accountId: long, filter: { kind: "all", text: "salary" }, cursor: undefined }) },
    {
      name: `search q=bench counterparty, ${label}`,
      args: () => ({ accountId: long, filter: { kind: "all", text: "bench counterparty" }, cursor: undefined }),
    },
    {
      name: `search 100.00..101.00 EUR, ${label}`,
      args: () => ({ accountId: long, filter: { kind: "all", minAmount: 10_000n, maxAmount: 10_100n }, cursor: undefined }),
    },
    {
      name: `search q=nothingmatches, ${label}`,
      args: () => ({ accountId: long, filter: { kind: "all", text: "nothingmatches" }, cursor: undefined }),
    },
    {
      name: `search 0.01..0.02 EUR (rare), ${label}`,
      args: () => ({ accountId: long, filter: { kind: "all", minAmount: 1n, maxAmount: 2n }, cursor: undefined }),
    },
    {
      name: `search q=salary, deep page, ${label}`,
      args: () => ({ accountId: long, filter: { kind: "all", text: "salary" }, cursor: deepCursor() }),
    },
    {
      name: "search q=salary, random small account",
      args: () => ({ accountId: small(), filter: { kind: "all", text: "salary" }, cursor: undefined }),
    },
  ];
}

/** Each case: 20 untimed reads, then STATEMENT_RUNS timed ones; EXPLAIN of one more. */
export async function runStatementPages(url: string, data: LargeDataset): Promise<StatementRun[]> {
  const handle = await openDatabase({ kind: "postgres", url, poolMax: 1 });
  const results: StatementRun[] = [];
  try {
    for (const testCase of statementCases(data)) {
      const read = async () => {
        const { accountId, filter, cursor } = testCase.args();
        return readStatementPage(handle.db, accountId, filter, cursor, STATEMENT_PAGE_SIZE);
      };
      for (let i = 0; i < 20; i++) await read();
      const times: number[] = [];
      let rows = 0;
      for (let i = 0; i < STATEMENT_RUNS; i++) {
        const t0 = performance.now();
        const page = await read();
        times.push(performance.now() - t0);
        rows += page.rows.length;
      }
      const { accountId, filter, cursor } = testCase.args();
      const plan = await explainCaptured(url, "statement_entries", (db) => readStatementPage(db, accountId, filter, cursor, STATEMENT_PAGE_SIZE));
      const latency = p50p95(times);
      results.push({
        name: testCase.name,
        runs: STATEMENT_RUNS,
        ...latency,
        rowsPerPage: round(rows / STATEMENT_RUNS, 1),
        met: latency.p95Ms < TARGET_STATEMENT_P95_MS,
        plan,
      });
      log(`  ${testCase.name}: p50 ${latency.p50Ms} ms, p95 ${latency.p95Ms} ms`);
    }
  } finally {
    await handle.close();
  }
  return results;
}

export type RebuildRun = {
  events: number;
  rows: Record<string, number>;
  elapsedMs: number;
  eventsPerSecond: number;
  met: boolean;
  /** rebuildProjections' own phases: replay and load (binary COPY), indexes and constraints, analyze, catch-up, lock, swap. */
  phases: { phase: string; ms: number }[];
  /** Statements the rebuild sent, by kind (one connection). */
  statements: Record<string, number>;
  caughtUp: number;
  machineCpuBusyPercent: number | null;
  nodeCpuPercentOfOneCore: number;
  /** Heap in use after the rebuild, and the most seen while it ran (sampled every 100 ms). */
  heapUsedMbAfter: number;
  heapUsedMbPeak: number;
  /** EXPLAIN (ANALYZE, BUFFERS) of the rebuild's read of one page (10,000 events). */
  replayPlan: string[];
  verify?: { elapsedMs: number; eventsPerSecond: number; differences: number };
};

/** Which kind of statement of rebuildProjections this is, from its text. */
export function rebuildStatement(text: string): string {
  if (/^select global_position, .* from events where global_position >/i.test(text)) return "read a page of events";
  const copy = /^copy \S*?"?(\w+)_rebuild"? /i.exec(text);
  if (copy) return `copy into ${copy[1]}_rebuild`;
  if (/^select 1$/i.test(text)) return "check a COPY finished";
  if (/^(create (unique )?index|alter table .* add constraint)/i.test(text)) return "create an index or constraint";
  if (/^(alter (table|index) .* rename|drop table|lock table|grant|revoke|comment)/i.test(text)) return "swap";
  return "other (catalog, snapshot, catch-up)";
}

export async function runRebuild(url: string, data: LargeDataset): Promise<RebuildRun> {
  let verify: RebuildRun["verify"];
  if (LARGE_VERIFY) {
    // Verify first: it proves the bulk-built rows are exactly what a replay produces.
    const handle = await openDatabase({ kind: "postgres", url, poolMax: 1 });
    try {
      const report = await verifyProjections(handle.db);
      verify = {
        elapsedMs: round(report.elapsedMs, 0),
        eventsPerSecond: round(report.events / (report.elapsedMs / 1000), 0),
        differences: report.differences.length,
      };
      log(
        `  verify: ${report.events.toLocaleString("en")} events in ${(report.elapsedMs / 1000).toFixed(1)} s, ${report.differences.length} differences`,
      );
      if (report.differences.length > 0) {
        throw new Error(`The bulk-built projection rows differ from a replay: ${JSON.stringify(report.differences.slice(0, 3))}`);
      }
    } finally {
      await handle.close();
    }
  }
  // The rebuild's read of one page, planned as it is sent.
  const replayPlan = await explainCaptured(url, "pg_visible_in_snapshot(transaction_id, $3", (db) =>
    db.transaction(async (tx) => {
      const bulk = bulkSql(tx);
      await readPage(bulk, await currentSnapshot(bulk), 0n, 10_000);
    }),
  );
  const statements: Record<string, number> = {};
  const client = postgres(url, {
    max: 1,
    onnotice: () => {},
    debug: (_connection, query) => {
      const kind = rebuildStatement(query.replace(/\s+/g, " ").trim());
      statements[kind] = (statements[kind] ?? 0) + 1;
    },
  });
  let heapPeak = 0;
  const sampler = setInterval(() => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)), 100);
  try {
    const from = cpuMark();
    const report = await rebuildProjections(drizzleOver(client));
    const cpu = cpuBetween(from, cpuMark());
    if (
      report.events !== data.events ||
      report.rows.statement_entries !== data.rows.statementEntries ||
      report.rows.audit_log !== data.rows.auditLog
    ) {
      throw new Error(`Rebuild replayed ${report.events} events into ${JSON.stringify(report.rows)}; the data set has ${JSON.stringify(data.rows)}`);
    }
    const eventsPerSecond = round(report.events / (report.elapsedMs / 1000), 0);
    log(
      `  rebuild: ${report.events.toLocaleString("en")} events in ${(report.elapsedMs / 1000).toFixed(1)} s (${eventsPerSecond.toLocaleString("en")} events/s)`,
    );
    return {
      events: report.events,
      rows: report.rows,
      elapsedMs: round(report.elapsedMs, 0),
      eventsPerSecond,
      met: eventsPerSecond >= TARGET_REBUILD_EVENTS_PER_SECOND,
      phases: report.phases,
      statements,
      caughtUp: report.caughtUp,
      ...cpu,
      heapUsedMbAfter: round(process.memoryUsage().heapUsed / 1_048_576, 0),
      heapUsedMbPeak: round(heapPeak / 1_048_576, 0),
      replayPlan,
      verify,
    };
  } finally {
    clearInterval(sampler);
    await client.end({ timeout: 5 });
  }
}

export type LargeReport = { dataset: Omit<LargeDataset, "smallAccountIds">; statements: StatementRun[]; rebuild: RebuildRun };

/** Parts 3 and 4 in a scratch database of their own (dropped by the caller, also on failure). */
export async function runLarge(scratch: Scratch): Promise<LargeReport> {
  const migrator = await openDatabase({ kind: "postgres", url: scratch.url, poolMax: 1 });
  try {
    await migrateDatabase(migrator, { url: scratch.url });
  } finally {
    await migrator.close();
  }
  const data = await buildLargeDataset(scratch.url, LARGE_EVENTS);
  log(
    `  built ${data.events.toLocaleString("en")} events in ${data.accounts.toLocaleString("en")} accounts ` +
      `(${data.rows.statementEntries.toLocaleString("en")} statement entries) in ${(data.buildMs / 1000).toFixed(1)} s`,
  );
  log(`\n[3/4] Statement pages (readStatementPage, ${STATEMENT_PAGE_SIZE} per page, ${STATEMENT_RUNS} runs per case)`);
  const statements = await runStatementPages(scratch.url, data);
  log(`\n[4/4] Projection rebuild (rebuildProjections${LARGE_VERIFY ? ", after verifyProjections" : ""})`);
  const rebuild = await runRebuild(scratch.url, data);
  const { smallAccountIds: _ids, ...dataset } = data;
  return { dataset, statements, rebuild };
}
