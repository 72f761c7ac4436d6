import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

import { sql } from "drizzle-orm";
import { connect } from "nats";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { depositMoney, openAccount } from "@/lib/commands/accounts";
import { openDatabase, rowsOf, type DatabaseHandle } from "@/lib/db/client";
import { subscriptionLags } from "@/lib/event-store/subscription";
import { natsBroker } from "@/lib/process-managers/nats-broker";
import { runRelay, type BrokerMessage, type EventBroker } from "@/lib/process-managers/relay";
import { deliverDueWebhooks, retryDelayMs } from "@/lib/process-managers/webhooks/deliver";
import { registerWebhook } from "@/lib/process-managers/webhooks/endpoints";
import { runWebhookOutbox } from "@/lib/process-managers/webhooks/outbox";

import { context, meta } from "../support/commands";
import { postgresBackends, type TestDatabase } from "../support/databases";

// The acceptance run of issue 17 on real Postgres and real NATS JetStream (NATS_URL, default the
// local server): events written by concurrent commands on two instances reach a webhook receiver
// and a JetStream consumer exactly once after de-duplication, in order per stream, while the relay
// and a webhook worker are killed and restarted mid-run; and a customer's receiver that fails five
// times is retried on schedule and then gets its whole stream, in order.
// 10,000 events, as the issue asks: 44 s on this two-core machine when moderately loaded, up to
// about 130 s when other work holds both cores; the writes are the slow part, not the delivery
// (docs/performance.md). EVENTS_OUT_TEST_EVENTS changes the count.
const TARGET = Number(process.env.EVENTS_OUT_TEST_EVENTS ?? 10_000);
const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const ACCOUNTS = 8;
const debug = (...values: unknown[]) => {
  if (process.env.EVENTS_OUT_DEBUG) console.log(new Date().toISOString(), ...values);
};

type Received = { id: string; body: string; headers: Record<string, string>; status: number };

/** An in-process receiver that keeps every request; `answer` picks the status of the nth one. */
async function receiver(answer: (count: number) => number = () => 200, host = "receiver.test") {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      const headers = Object.fromEntries(
        ["webhook-id", "webhook-timestamp", "webhook-signature"].map((name) => [name, String(request.headers[name])]),
      );
      const status = answer(received.length + 1);
      received.push({ id: headers["webhook-id"]!, body, headers, status });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  // A name, so deliveries go through the resolver (a stand-in for DNS that answers 127.0.0.1).
  const url = `http://${host}:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe.each(postgresBackends)("events out, acceptance, on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
    // Speed, not a guarantee under test: commits of this scratch database do not wait for the WAL
    // flush (a crash of Postgres itself is not part of the run; the kills are of app instances).
    await t.db.execute(sql.raw(`alter database "${new URL(t.url!).pathname.slice(1)}" set synchronous_commit = off`));
  });
  afterAll(() => t.drop());

  it(
    `${TARGET} events from two instances arrive once each, in order per stream, at webhook receivers and on JetStream, through kills and a failing receiver`,
    { timeout: 300_000 },
    async () => {
      // Instance A: a pool opened after the setting above (the test's own handle predates it).
      const a = await t.openAnother(8);
      // Instance B: its own pool, named so that it can be killed mid-run; each life has its own name.
      let lives = 0;
      const startB = () => openDatabase({ kind: "postgres", url: t.url!, poolMax: 4, applicationName: `instance-b-${(lives += 1)}` });
      let b: DatabaseHandle = await startB();
      const main = await receiver();
      // The customer's receiver is down for its first five requests.
      const flaky = await receiver((count) => (count <= 5 ? 500 : 204), "flaky.test");
      const tag = `lltest${randomBytes(4).toString("hex")}`;
      const stream = tag.toUpperCase();
      const subjectPrefix = `${tag}.events`;
      const real = await natsBroker(NATS_URL, { stream, subjects: `${tag}.>` });
      try {
        const admin = await registerWebhook(
          a.db,
          { id: "admin-acceptance", role: "admin" },
          { url: main.url, description: "acceptance" },
          { allowPrivate: true },
        );
        const customer0 = await registerWebhook(
          a.db,
          { id: "customer-0", role: "customer" },
          { url: flaky.url, description: "flaky" },
          { allowPrivate: true },
        );
        const accountIds: string[] = [];
        for (let i = 0; i < ACCOUNTS; i += 1) {
          const customer = { actor: { id: `customer-${i}`, role: "customer" as const } };
          accountIds.push((await openAccount(context(a.db), { customerId: customer.actor.id, currency: "EUR" }, meta(customer))).accountId);
        }

        // Killing B: a new B starts; the server drops the old one's connections that sit in an open
        // transaction (the relay's, waiting on the broker: it rolls back), and the old pool is closed
        // (what it still tries fails). Deliveries the old B claimed keep their lease until it expires.
        const kills: string[] = [];
        const killB = async (why: string) => {
          kills.push(why);
          const dying = b;
          b = await startB();
          await a.db.execute(
            sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${dying.applicationName!} and state like 'idle in transaction%'`,
          );
          void dying.close().catch(() => undefined);
        };
        // B's relay is killed on its third batch, after half of it was published and before its checkpoint commits.
        let publishes = 0;
        const relayOf = (instance: "a" | "b"): EventBroker => ({
          name: "test",
          async publish(messages: readonly BrokerMessage[]) {
            if (instance === "b" && (publishes += 1) === 3 && messages.length > 1) {
              await real.publish(messages.slice(0, Math.ceil(messages.length / 2)));
              await killB("relay mid-batch");
              throw new Error("relay killed mid-batch");
            }
            await real.publish(messages);
          },
          close: () => Promise.resolve(),
        });
        // B's webhook worker is killed as it starts its fifth request: that one goes out and arrives,
        // but a dead worker sends nothing after it (its later lookups fail) and records nothing; once
        // the lease has run out another worker sends the claimed deliveries again.
        let resolves = 0;
        const resolverOf = (instance: "a" | "b", life: number) => async (host: string) => {
          if (instance === "b" && life !== lives) throw new Error("this worker is dead");
          if (instance === "b" && host === "receiver.test" && (resolves += 1) === 5) await killB("webhook worker mid-send");
          return host.endsWith(".test") ? [{ address: "127.0.0.1", family: 4 }] : [];
        };
        const send = { allowPrivate: true, timeoutMs: 2_000, maxResponseBytes: 65_536, leaseMs: 5_000 };
        let writing = true;
        const pump = async (instance: () => DatabaseHandle, name: "a" | "b") => {
          const broker = relayOf(name);
          while (writing || (await pending(a, admin.endpoint.id)) > 0) {
            const db = instance().db;
            const life = lives;
            await runWebhookOutbox(db, { batch: 500 }).catch(() => undefined);
            await runRelay(db, broker, { subjectPrefix, batch: 500 }).catch(() => undefined);
            await deliverDueWebhooks(db, { workerId: `worker-${name}-${life}`, maxMs: 2_000, ...send, resolve: resolverOf(name, life) }).catch(
              () => undefined,
            );
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        };

        const perWriter = Math.ceil((TARGET - ACCOUNTS) / (2 * ACCOUNTS));
        // A client whose instance dies retries with the same command id: the deposit happens once.
        const writer = (instance: () => DatabaseHandle, accountId: string) => async () => {
          for (let i = 0; i < perWriter; i += 1) {
            const commandId = randomUUID();
            for (let attempt = 1; ; attempt += 1) {
              try {
                await depositMoney(context(instance().db), { accountId, amount: 1 + i }, meta({ actor: { id: "writer", role: "admin" }, commandId }));
                break;
              } catch (error) {
                if (attempt >= 20) throw error;
                await new Promise((resolve) => setTimeout(resolve, 100));
              }
            }
          }
        };
        debug("writing");
        const pumps = [pump(() => a, "a"), pump(() => b, "b")];
        // The writers are the two instances' request handling; the relay and webhook worker of B are what gets killed.
        const writerB = await t.openAnother(4);
        const writers = accountIds.flatMap((accountId) => [writer(() => a, accountId), writer(() => writerB, accountId)]);
        await Promise.all(writers.map((run) => run()));
        debug("written", main.received.length);
        writing = false;
        await Promise.all(pumps);
        debug("pumped", main.received.length);
        // Caught up: both subscribers' checkpoints are past every event and the admin endpoint has
        // nothing pending. (Not their lag figure: that counts only events readers may read yet, and a
        // transaction open anywhere on the server, another database's too, holds that back.)
        for (;;) {
          await runWebhookOutbox(a.db);
          await runRelay(a.db, real, { subjectPrefix });
          await deliverDueWebhooks(a.db, { workerId: "final", ...send, resolve: resolverOf("a", lives) });
          const [behind] = rowsOf<{ n: number }>(
            await a.db.execute(sql`select count(*)::int as n from subscriptions s join events e
            on (e.transaction_id, e.global_position) > (s.checkpoint_transaction_id, s.checkpoint_position)`),
          );
          if (Number(behind?.n) === 0 && (await pending(a, admin.endpoint.id)) === 0) break;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect((await subscriptionLags(a.db)).map((lag) => lag.lagEvents)).toEqual([0, 0]);
        debug("caught up", main.received.length, "kills", kills);

        const stored = rowsOf<{ event_id: string; stream_id: string; stream_position: string }>(
          await a.db.execute(sql`select event_id, stream_id, stream_position::text from events order by transaction_id, global_position`),
        );
        expect(stored.length).toBeGreaterThanOrEqual(TARGET);
        const order = new Map(stored.map((row, index) => [row.event_id, index]));

        // Webhooks: every event once after de-duplication by webhook-id, per stream in order, all signatures valid.
        const verifier = new Webhook(admin.secret);
        for (const request of main.received) verifier.verify(request.body, request.headers);
        const hooked = firstSeen(main.received);
        if (process.env.EVENTS_OUT_DEBUG && hooked.length !== stored.length) {
          const got = new Set(hooked.map((event) => event.id));
          const missing = stored
            .filter((row) => !got.has(row.event_id))
            .slice(0, 5)
            .map((row) => row.event_id);
          for (const id of missing) {
            debug(
              "missing",
              id,
              rowsOf(
                await a.db.execute(
                  sql`select id, status, attempts, claimed_by, last_status, last_error, stream_id, stream_position from webhook_deliveries where event_id = ${id}::uuid`,
                ),
              ),
            );
            debug(
              "attempts",
              rowsOf(
                await a.db.execute(
                  sql`select * from webhook_attempts where delivery_id in (select id from webhook_deliveries where event_id = ${id}::uuid)`,
                ),
              ),
            );
          }
          debug("by status", rowsOf(await a.db.execute(sql`select endpoint_id, status, count(*) from webhook_deliveries group by 1, 2`)));
        }
        expect(new Set(hooked.map((event) => event.id)).size).toBe(stored.length);
        expect(hooked.length).toBe(stored.length);
        expectOrderedPerStream(hooked);
        expect(kills).toEqual(expect.arrayContaining(["relay mid-batch", "webhook worker mid-send"]));

        // JetStream: every event once (the server dropped the relay's repeats by Nats-Msg-Id), in global order.
        const consumerConnection = await connect({ servers: NATS_URL });
        try {
          const js = consumerConnection.jetstream();
          const consumer = await js.consumers.get(stream);
          const seen: { id: string; streamId: string; streamPosition: number; subject: string; msgId: string }[] = [];
          while (seen.length < stored.length) {
            const batch = await consumer.fetch({ max_messages: 1_000, expires: 2_000 });
            let got = 0;
            for await (const message of batch) {
              got += 1;
              const event = message.json<{ id: string; streamId: string; streamPosition: number; streamType: string; type: string }>();
              seen.push({ ...event, subject: message.subject, msgId: message.headers?.get("Nats-Msg-Id") ?? "" });
            }
            if (got === 0) break;
          }
          const unique = [...new Map(seen.map((event) => [event.id, event])).values()];
          expect(unique.length).toBe(stored.length);
          expect(seen.every((event) => event.msgId === event.id)).toBe(true);
          expect(seen[0]!.subject).toMatch(new RegExp(`^${subjectPrefix}\\.account\\.AccountOpened$`));
          expectOrderedPerStream(unique);
          // Global order too: the relay publishes in the store's (transaction id, position) order.
          const indexes = unique.map((event) => order.get(event.id)!);
          expect(indexes).toEqual([...indexes].sort((x, y) => x - y));
        } finally {
          const manager = await consumerConnection.jetstreamManager();
          await manager.streams.delete(stream).catch(() => undefined);
          await consumerConnection.close();
        }

        // The flaky receiver: its first delivery (customer-0's AccountOpened) failed and holds back
        // the rest of that stream. Retries come on schedule, never before: a clock moved to just
        // before each next attempt sends nothing, at the attempt it sends again; the sixth succeeds.
        let clock = Date.now();
        const now = () => new Date((clock = Math.max(clock, Date.now())));
        for (let guard = 0; guard < 10; guard += 1) {
          const [head] = rowsOf<{ next_attempt_at: Date | string; attempts: number }>(
            await a.db.execute(
              sql`select next_attempt_at, attempts from webhook_deliveries where endpoint_id = ${customer0.endpoint.id} and status = 'pending' order by stream_position limit 1`,
            ),
          );
          if (!head || head.attempts === 0) break;
          const due = new Date(head.next_attempt_at).getTime();
          if (due - 1_000 > clock) {
            clock = due - 1_000;
            const before = flaky.received.length;
            await deliverDueWebhooks(a.db, { workerId: "final", now, ...send, resolve: resolverOf("a", lives) });
            expect(flaky.received.length).toBe(before);
          }
          clock = Math.max(clock, due);
          await deliverDueWebhooks(a.db, { workerId: "final", now, ...send, resolve: resolverOf("a", lives) });
        }
        while ((await pending(a, customer0.endpoint.id)) > 0)
          await deliverDueWebhooks(a.db, { workerId: "final", now, ...send, resolve: resolverOf("a", lives) });
        expect(flaky.received.slice(0, 6).map((request) => request.status)).toEqual([500, 500, 500, 500, 500, 204]);
        expect(new Set(flaky.received.slice(0, 6).map((request) => request.id)).size).toBe(1);
        const attempts = rowsOf<{ attempt: number; at: Date | string; status: number }>(
          await a.db.execute(
            sql`select a.attempt, a.at, a.status from webhook_attempts a where a.delivery_id = ${flaky.received[0]!.id} order by a.attempt`,
          ),
        );
        // Recorded: failures, then the success (an attempt a killed worker made is not among them).
        expect(attempts.at(-1)!.status).toBe(204);
        expect(attempts.slice(0, -1).every((row) => row.status === 500)).toBe(true);
        for (let n = 1; n < attempts.length; n += 1) {
          expect(new Date(attempts[n]!.at).getTime() - new Date(attempts[n - 1]!.at).getTime()).toBeGreaterThanOrEqual(retryDelayMs(n));
        }
        // Then customer-0's whole account stream (and nothing of anyone else's), once each, in order.
        // (Signed with the moved clock, so checked against the library's signature for that time: its
        // verifier refuses timestamps more than five minutes from the real clock.)
        const signer = new Webhook(customer0.secret);
        for (const request of flaky.received) {
          const signedAt = new Date(Number(request.headers["webhook-timestamp"]) * 1000);
          expect(request.headers["webhook-signature"]).toBe(signer.sign(request.id, signedAt, request.body));
        }
        const own = firstSeen(flaky.received);
        const ownStream = stored.filter((row) => row.stream_id === `account-${accountIds[0]}`);
        expect(own.map((event) => event.id)).toEqual(ownStream.map((row) => row.event_id));
      } finally {
        await real.close();
        await b.close().catch(() => undefined);
        await main.close();
        await flaky.close();
      }
    },
  );
});

async function pending(handle: DatabaseHandle, endpointId: string): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await handle.db.execute(sql`select count(*)::int as n from webhook_deliveries where status = 'pending' and endpoint_id = ${endpointId}`),
  );
  return Number(row?.n ?? 0);
}

/** The first receipt of each webhook-id, in receipt order: what a de-duplicating receiver keeps. */
function firstSeen(received: readonly Received[]) {
  const first = new Map<string, { id: string; streamId: string; streamPosition: number }>();
  for (const message of received) {
    if (!first.has(message.id)) first.set(message.id, JSON.parse(message.body) as { id: string; streamId: string; streamPosition: number });
  }
  return [...first.values()];
}

function expectOrderedPerStream(events: readonly { streamId: string; streamPosition: number }[]) {
  const last = new Map<string, number>();
  for (const event of events) {
    expect(event.streamPosition).toBeGreaterThan(last.get(event.streamId) ?? 0);
    last.set(event.streamId, event.streamPosition);
  }
}
