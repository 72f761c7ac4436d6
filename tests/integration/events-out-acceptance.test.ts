import { randomBytes, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { connect } from "nats";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { depositMoney, openAccount } from "@/lib/commands/accounts";
import { type DatabaseHandle, openDatabase, rowsOf } from "@/lib/db/client";
import { subscriptionLags } from "@/lib/event-store/subscription";
import { natsBroker } from "@/lib/process-managers/nats-broker";
import { type BrokerMessage, type EventBroker, runRelay } from "@/lib/process-managers/relay";
import { deliverDueWebhooks } from "@/lib/process-managers/webhooks/deliver";
import { registerWebhook } from "@/lib/process-managers/webhooks/endpoints";
import { runWebhookOutbox } from "@/lib/process-managers/webhooks/outbox";
import { context, meta } from "../support/commands";
import { postgresBackends, type TestDatabase } from "../support/databases";

// The acceptance run of issue 17 on real Postgres and real NATS JetStream (NATS_URL, default the
// local server): events written by concurrent commands on two instances reach a webhook receiver and
// a JetStream consumer exactly once after de-duplication, in order per stream, while the relay and
// a webhook worker are killed and restarted mid-run. EVENTS_OUT_TEST_EVENTS sets the count (the
// benchmark, bench/events-out.ts, runs 10,000).
const TARGET = Number(process.env.EVENTS_OUT_TEST_EVENTS ?? 1_000);
const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const ACCOUNTS = 8;

type Received = { id: string; body: string; headers: Record<string, string> };

describe.each(postgresBackends)("events out, acceptance, on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  it(`${TARGET} events from two instances arrive once each, in order per stream, at a webhook receiver and on JetStream, through kills`, { timeout: 240_000 }, async () => {
    const a = t.handle;
    // Instance B: its own pool, named so that it can be killed (its connections terminated) mid-run.
    let lives = 0;
    const startB = () => openDatabase({ kind: "postgres", url: t.url!, poolMax: 4, applicationName: `instance-b-${(lives += 1)}` });
    let b: DatabaseHandle = await startB();
    const received: Received[] = [];
    const server = http.createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      request.on("end", () => {
        const headers = Object.fromEntries(["webhook-id", "webhook-timestamp", "webhook-signature"].map((name) => [name, String(request.headers[name])]));
        received.push({ id: headers["webhook-id"]!, body, headers });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    // A name, so deliveries go through the resolver (a stand-in for DNS that answers 127.0.0.1).
    const url = `http://receiver.test:${(server.address() as AddressInfo).port}/hook`;
    const tag = `lltest${randomBytes(4).toString("hex")}`;
    const stream = tag.toUpperCase();
    const subjectPrefix = `${tag}.events`;
    const real = await natsBroker(NATS_URL, { stream, subjects: `${tag}.>` });
    try {
      const { secret } = await registerWebhook(a.db, { id: "admin-acceptance", role: "admin" }, { url, description: "acceptance" }, { allowPrivate: true });
      const accountIds: string[] = [];
      for (let i = 0; i < ACCOUNTS; i += 1) {
        const customer = { actor: { id: `customer-${i}`, role: "customer" as const } };
        accountIds.push((await openAccount(context(a.db), { customerId: customer.actor.id, currency: "EUR" }, meta(customer))).accountId);
      }

      // Killing B: the server drops its connections (its open transaction rolls back; deliveries it
      // claimed keep their lease until it expires) and its pool is gone; a new B starts. It is done
      // at points where B is waiting on something else (the broker, a receiver), not mid-statement.
      const kills: string[] = [];
      const killB = async (why: string) => {
        kills.push(why);
        const dying = b;
        b = await startB();
        await a.db.execute(sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${dying.applicationName!} and state <> 'active'`);
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
      // B's webhook worker is killed after claiming its fifth batch, as it starts sending: what it
      // sends arrives, but nothing of it is recorded; after the lease another worker sends it again.
      let resolves = 0;
      const resolverOf = (instance: "a" | "b") => async (host: string) => {
        if (instance === "b" && (resolves += 1) === 5) await killB("webhook worker mid-send");
        return host === "receiver.test" ? [{ address: "127.0.0.1", family: 4 }] : [];
      };
      const send = { allowPrivate: true, timeoutMs: 5_000, maxResponseBytes: 65_536, leaseMs: 1_500 };
      let writing = true;
      const pump = async (instance: () => DatabaseHandle, name: "a" | "b") => {
        const broker = relayOf(name);
        while (writing || (await pending(a)) > 0) {
          const db = instance().db;
          await runWebhookOutbox(db, { batch: 200 }).catch(() => undefined);
          await runRelay(db, broker, { subjectPrefix, batch: 200 }).catch(() => undefined);
          await deliverDueWebhooks(db, { workerId: `worker-${name}-${lives}`, batch: 100, ...send, resolve: resolverOf(name) }).catch(() => undefined);
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
      const pumps = [pump(() => a, "a"), pump(() => b, "b")];
      // The writers are the two instances' request handling; the relay and webhook worker of B are what gets killed.
      const writerB = await t.openAnother(4);
      const writers = accountIds.flatMap((accountId) => [writer(() => a, accountId), writer(() => writerB, accountId)]);
      const writing$ = Promise.all(writers.map((run) => run()));
      await writing$;
      if (process.env.EVENTS_OUT_DEBUG) console.log("written", Date.now());
      writing = false;
      await Promise.all(pumps);
      // Caught up: both subscribers' lag is zero.
      for (;;) {
        await runWebhookOutbox(a.db);
        await runRelay(a.db, real, { subjectPrefix });
        await deliverDueWebhooks(a.db, { workerId: "final", ...send, resolve: resolverOf("a") });
        const lags = await subscriptionLags(a.db);
        if (process.env.EVENTS_OUT_DEBUG) console.log(JSON.stringify({ lags, pending: await pending(a), received: received.length }));
        if (lags.every((lag) => lag.lagEvents === 0) && (await pending(a)) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }

      const stored = rowsOf<{ event_id: string; stream_id: string; stream_position: string }>(
        await a.db.execute(sql`select event_id, stream_id, stream_position::text from events order by transaction_id, global_position`),
      );
      expect(stored.length).toBeGreaterThanOrEqual(TARGET);
      const order = new Map(stored.map((row, index) => [row.event_id, index]));

      // Webhooks: every event once after de-duplication by webhook-id, per stream in order, all signatures valid.
      const verifier = new Webhook(secret);
      const firstSeen = new Map<string, { id: string; streamId: string; streamPosition: number }>();
      for (const message of received) {
        const event = verifier.verify(message.body, message.headers) as { id: string; streamId: string; streamPosition: number };
        if (!firstSeen.has(message.id)) firstSeen.set(message.id, event);
      }
      const hooked = [...firstSeen.values()];
      expect(new Set(hooked.map((event) => event.id)).size).toBe(stored.length);
      expect(hooked.length).toBe(stored.length);
      expectOrderedPerStream(hooked);

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
        expect(kills).toEqual(expect.arrayContaining(["relay mid-batch", "webhook worker mid-send"]));
      } finally {
        const manager = await consumerConnection.jetstreamManager();
        await manager.streams.delete(stream).catch(() => undefined);
        await consumerConnection.close();
      }
    } finally {
      await real.close();
      await b.close().catch(() => undefined);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

async function pending(handle: DatabaseHandle): Promise<number> {
  const [row] = rowsOf<{ n: number }>(await handle.db.execute(sql`select count(*)::int as n from webhook_deliveries where status = 'pending'`));
  return Number(row?.n ?? 0);
}

function expectOrderedPerStream(events: readonly { streamId: string; streamPosition: number }[]) {
  const last = new Map<string, number>();
  for (const event of events) {
    expect(event.streamPosition).toBeGreaterThan(last.get(event.streamId) ?? 0);
    last.set(event.streamId, event.streamPosition);
  }
}
