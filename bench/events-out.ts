/**
 * Events-out benchmark: `DATABASE_URL=postgres://… [NATS_URL=nats://…] npm run bench:events`.
 *
 * In a scratch database (created, migrated, dropped at the end), the random-write scenario of
 * `npm run bench` in-process: BENCH_WORKERS (16) concurrent writers deposit on a random account among
 * BENCH_ACCOUNTS (200) until BENCH_EVENTS (10,000) events exist, on two pools ("instances"), while
 * each instance runs the webhook outbox, the NATS relay and the delivery worker in a loop, as the
 * background loop does. An admin endpoint (every event) points at an in-process receiver.
 *
 * Prints: write rate; relay throughput (events published per second of relay work, and end to
 * end); webhook throughput (deliveries per second); delivery lag (receipt time − the event's
 * recorded_at) p50/p95/p99/max; then the delivery capacity: every delivery made due again at once
 * and sent by the two workers alone (deliveries/s).
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

import { sql } from "drizzle-orm";
import postgres from "postgres";

import { depositMoney, openAccount } from "../lib/commands/accounts";
import { openDatabase, rowsOf, type DatabaseHandle } from "../lib/db/client";
import { migrateDatabase } from "../lib/db/migrate";
import { natsBroker } from "../lib/process-managers/nats-broker";
import { runRelay } from "../lib/process-managers/relay";
import { deliverDueWebhooks } from "../lib/process-managers/webhooks/deliver";
import { registerWebhook } from "../lib/process-managers/webhooks/endpoints";
import { runWebhookOutbox } from "../lib/process-managers/webhooks/outbox";

// One JSON line per command would bury the figures.
process.env.LOG_LEVEL ??= "warn";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 200);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 16);
const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

async function main() {
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl?.startsWith("postgres")) throw new Error("Set DATABASE_URL to a real Postgres (postgres://…).");
  const name = `ll_bench_events_${randomBytes(4).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1 });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handles: DatabaseHandle[] = [];
  const tag = `llbench${randomBytes(3).toString("hex")}`;
  const broker = await natsBroker(NATS_URL, { stream: tag.toUpperCase(), subjects: `${tag}.>` });
  const receiptLags: number[] = [];
  const seen = new Set<string>();
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      const id = String(request.headers["webhook-id"]);
      if (!seen.has(id)) {
        seen.add(id);
        receiptLags.push(Date.now() - Date.parse((JSON.parse(body) as { recordedAt: string }).recordedAt));
      }
      response.writeHead(204).end();
    });
  });
  try {
    const a = await openDatabase({ kind: "postgres", url: url.toString(), poolMax: 12, applicationName: "bench-a" });
    const b = await openDatabase({ kind: "postgres", url: url.toString(), poolMax: 12, applicationName: "bench-b" });
    handles.push(a, b);
    await migrateDatabase(a, { url: url.toString() });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    await registerWebhook(
      a.db,
      { id: "bench-admin", role: "admin" },
      { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, description: "bench" },
      { allowPrivate: true },
    );
    const ctx = (db: DatabaseHandle["db"]) => ({ db, snapshotEvery: 20, maxAmount: 100_000_000n });
    const system = { now: new Date(), actor: { id: "bench", role: "admin" as const }, origin: "cli" as const };
    const accounts: string[] = [];
    for (let i = 0; i < ACCOUNTS; i += 1)
      accounts.push((await openAccount(ctx(a.db), { customerId: `bench-${i}`, currency: "EUR" }, { ...system, now: new Date() })).accountId);

    let written = ACCOUNTS;
    const writeStarted = performance.now();
    const writers = Array.from({ length: WORKERS }, (_, w) => async () => {
      const db = (w % 2 === 0 ? a : b).db;
      while (written < EVENTS) {
        written += 1;
        const accountId = accounts[Math.floor(Math.random() * accounts.length)]!;
        await depositMoney(ctx(db), { accountId, amount: 100 }, { ...system, now: new Date() });
      }
    });
    let writing = true;
    const relayTime = { ms: 0, events: 0 };
    const hookTime = { ms: 0, deliveries: 0 };
    const pump = async (handle: DatabaseHandle, id: string) => {
      while (writing || seen.size < written) {
        await runWebhookOutbox(handle.db, { batch: 500 });
        const relayStarted = performance.now();
        const relayed = await runRelay(handle.db, broker, { batch: 500, subjectPrefix: `${tag}.events` });
        if (relayed.processed > 0) {
          relayTime.ms += performance.now() - relayStarted;
          relayTime.events += relayed.processed;
        }
        const hookStarted = performance.now();
        const sent = await deliverDueWebhooks(handle.db, { workerId: id, allowPrivate: true, timeoutMs: 5_000, maxResponseBytes: 65_536 });
        if (sent.delivered > 0) {
          hookTime.ms += performance.now() - hookStarted;
          hookTime.deliveries += sent.delivered;
        }
        if (relayed.processed === 0 && sent.attempted === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const pumps = [pump(a, "bench-a"), pump(b, "bench-b")];
    await Promise.all(writers.map((run) => run()));
    const writeMs = performance.now() - writeStarted;
    writing = false;
    await Promise.all(pumps);
    const totalMs = performance.now() - writeStarted;
    // Capacity from a backlog: every delivery due again at once (as a replay makes them), sent by the
    // two workers with nothing else running, so the figure is delivery's own, not the writers' pace.
    const [queued] = rowsOf<{ n: number }>(await a.db.execute(sql`select count(*)::int as n from webhook_deliveries`));
    await a.db.execute(
      sql`update webhook_deliveries set status = 'pending', next_attempt_at = now(), claimed_by = null, claimed_until = null where status = 'delivered'`,
    );
    let resent = 0;
    const drainStarted = performance.now();
    await Promise.all(
      [a, b].map(async (handle, i) => {
        for (;;) {
          const sent = await deliverDueWebhooks(handle.db, {
            workerId: `drain-${i}`,
            allowPrivate: true,
            timeoutMs: 5_000,
            maxResponseBytes: 65_536,
          });
          resent += sent.delivered;
          if (sent.attempted === 0) return;
        }
      }),
    );
    const drainMs = performance.now() - drainStarted;
    const rows = [
      ["events written", String(written)],
      ["write rate (events/s)", (((written - ACCOUNTS) / writeMs) * 1000).toFixed(0)],
      ["relay throughput, during its batches (events/s)", ((relayTime.events / relayTime.ms) * 1000).toFixed(0)],
      ["webhook throughput, during delivery rounds (deliveries/s)", ((hookTime.deliveries / hookTime.ms) * 1000).toFixed(0)],
      ["end to end: all delivered after (s)", (totalMs / 1000).toFixed(1)],
      [
        `backlog of ${Number(queued?.n ?? 0)} deliveries sent again (deliveries/s)`,
        `${((resent / drainMs) * 1000).toFixed(0)} (${resent} in ${(drainMs / 1000).toFixed(1)} s)`,
      ],
      ["webhook delivery lag p50 / p95 / p99 / max (ms)", [50, 95, 99, 100].map((p) => percentile(receiptLags, p).toFixed(0)).join(" / ")],
    ];
    const width = Math.max(...rows.map(([label]) => label!.length));
    process.stdout.write(`events-out benchmark: ${EVENTS} events, ${ACCOUNTS} accounts, ${WORKERS} writers on two instances\n`);
    for (const [label, value] of rows) process.stdout.write(`  ${label!.padEnd(width)}  ${value}\n`);
  } finally {
    server.close();
    await broker.close().catch(() => undefined);
    await Promise.all(handles.map((handle) => handle.close()));
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
    const cleanup = await import("nats").then(({ connect }) => connect({ servers: NATS_URL }));
    await (await cleanup.jetstreamManager()).streams.delete(tag.toUpperCase()).catch(() => undefined);
    await cleanup.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
