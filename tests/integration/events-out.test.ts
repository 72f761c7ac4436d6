import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

import { eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { issueApiToken } from "@/lib/auth/api-tokens";
import { depositMoney } from "@/lib/commands/accounts";
import { rowsOf, type DatabaseHandle } from "@/lib/db/client";
import { webhookDeliveries, webhookEndpoints } from "@/lib/db/schema";
import { runSubscriptionBatch, subscriptionLags } from "@/lib/event-store/subscription";
import type { RawEvent } from "@/lib/event-store/types";
import { deliverDueWebhooks } from "@/lib/process-managers/webhooks/deliver";
import { findOwnWebhook, registerWebhook, replayDeliveries, resendDelivery, webhookDeliveryLog } from "@/lib/process-managers/webhooks/endpoints";
import { runWebhookOutbox } from "@/lib/process-managers/webhooks/outbox";

import { customerWithAccount } from "../support/bank";
import { admin, context, meta } from "../support/commands";
import { backends, postgresBackends, type TestDatabase } from "../support/databases";

const events = await import("@/app/api/v1/events/route");
const transfers = await import("@/app/api/v1/transfers/route");
const accounts = await import("@/app/api/v1/accounts/route");
const webhooks = await import("@/app/api/v1/webhooks/route");

const get = (handler: typeof events.GET, path: string, token: string) =>
  handler(new Request(`http://localhost/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) });

/** An in-process receiver: answers with the status `answer` gives, keeps every request. */
async function receiver(answer: (count: number) => number = () => 200) {
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    request.on("end", () => {
      received.push({ headers: request.headers, body });
      response.writeHead(answer(received.length)).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const sendOptions = { allowPrivate: true, timeoutMs: 5_000, maxResponseBytes: 65_536 };

describe.each(backends)("events for the outside world on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
    const global = globalThis as { __ledgerlineDb?: { handle?: Promise<DatabaseHandle> } };
    (global.__ledgerlineDb ??= {}).handle = Promise.resolve(t.handle);
  });
  afterAll(() => t.drop());

  it("a subscription resumes from its checkpoint, which moves only with its side effects", async () => {
    await customerWithAccount(t.db, { balance: 100 });
    const seen: string[] = [];
    await expect(
      runSubscriptionBatch(t.db, "test-crash", async (tx) => {
        await tx.execute(sql`create table if not exists sub_effects (event_id uuid primary key)`);
        throw new Error("crash mid-batch");
      }),
    ).rejects.toThrow("crash mid-batch");
    const effect = async (tx: typeof t.db, batch: readonly RawEvent[]) => {
      for (const event of batch) seen.push(event.eventId);
    };
    const first = await runSubscriptionBatch(t.db, "test-crash", effect, { batch: 2 });
    expect(first).toMatchObject({ ran: true, processed: 2 });
    await runSubscriptionBatch(t.db, "test-crash", effect, { batch: 1000 });
    const all = rowsOf<{ event_id: string }>(await t.db.execute(sql`select event_id from events order by transaction_id, global_position`)).map(
      (r) => r.event_id,
    );
    expect(seen).toEqual(all);
    const again = await runSubscriptionBatch(t.db, "test-crash", effect);
    expect(again.processed).toBe(0);
    const lag = (await subscriptionLags(t.db)).find((row) => row.name === "test-crash");
    expect(lag).toMatchObject({ lagEvents: 0, lagSeconds: 0 });
  });

  it("the event feed gives a customer their own events in global order with a stable cursor", async () => {
    const alice = await customerWithAccount(t.db, { name: "Alice Feed", balance: 500 });
    const bob = await customerWithAccount(t.db, { name: "Bob Feed", balance: 700 });
    const { token } = await issueApiToken(t.db, alice.user, { name: "feed", lifetimeDays: 1, scope: "read" }, { via: "api" });
    const first = await get(events.GET, "/events?limit=1", token);
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as { events: { streamId: string; type: string; globalPosition: number }[]; nextCursor: string };
    expect(page1.events).toHaveLength(1);
    const rest = (await (await get(events.GET, `/events?after=${page1.nextCursor}`, token)).json()) as typeof page1;
    const mine = [...page1.events, ...rest.events];
    expect(mine.map((e) => e.type)).toEqual(["AccountOpened", "MoneyDeposited"]);
    expect(mine.every((e) => e.streamId === `account-${alice.accountId}`)).toBe(true);
    // Caught up: the same cursor comes back, and a new event appears after it.
    const empty = (await (await get(events.GET, `/events?after=${rest.nextCursor}`, token)).json()) as typeof page1;
    expect(empty).toEqual({ events: [], nextCursor: rest.nextCursor });
    await depositMoney(context(t.db), { accountId: alice.accountId, amount: 5 }, meta(alice.actor));
    await depositMoney(context(t.db), { accountId: bob.accountId, amount: 5 }, meta(bob.actor));
    // The feed shows a commit once no older transaction is open anywhere on the server (other
    // databases' too, on a shared one): ask again until it does.
    let later = page1;
    for (let tries = 0; tries < 100; tries += 1) {
      later = (await (await get(events.GET, `/events?after=${rest.nextCursor}`, token)).json()) as typeof page1;
      if (later.events.length > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(later.events.map((e) => [e.type, e.streamId])).toEqual([["MoneyDeposited", `account-${alice.accountId}`]]);

    const bad = await get(events.GET, "/events?after=not-a-cursor!", token);
    expect(bad.status).toBe(422);
  });

  it("refuses a transfer with a read-only token (403 INSUFFICIENT_SCOPE) and writes nothing, but lets it read", async () => {
    const alice = await customerWithAccount(t.db, { name: "Alice Scope", balance: 1_000 });
    const bob = await customerWithAccount(t.db, { name: "Bob Scope" });
    const [payee] = rowsOf<{ number: string }>(await t.db.execute(sql`select number from account_summary where account_id = ${bob.accountId}`));
    const before = rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from events`))[0]!.n;
    for (const scope of ["read", "webhooks"] as const) {
      const { token } = await issueApiToken(t.db, alice.user, { name: scope, lifetimeDays: 1, scope }, { via: "api" });
      const response = await transfers.POST(
        new Request("http://localhost/api/v1/transfers", {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": randomUUID() },
          body: JSON.stringify({ fromAccountId: alice.accountId, toAccountNumber: payee!.number, amount: 100 }),
        }),
        { params: Promise.resolve({}) },
      );
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ code: "INSUFFICIENT_SCOPE" });
      expect((await get(accounts.GET, "/accounts", token)).status).toBe(200);
    }
    // Issuing the two tokens wrote two events; the refused transfers wrote none.
    const after = rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from events`))[0]!.n;
    expect(after - before).toBe(2);
  });

  it("lets a webhooks token register an endpoint over the API (secret in that answer only) and refuses a read token", async () => {
    const dana = await customerWithAccount(t.db, { name: "Dana Api Hook" });
    const register = (token: string, body: unknown) =>
      webhooks.POST(
        new Request("http://localhost/api/v1/webhooks", {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        }),
        { params: Promise.resolve({}) },
      );
    const read = (await issueApiToken(t.db, dana.user, { name: "r", lifetimeDays: 1, scope: "read" }, { via: "api" })).token;
    const hooks = (await issueApiToken(t.db, dana.user, { name: "w", lifetimeDays: 1, scope: "webhooks" }, { via: "api" })).token;
    const refused = await register(read, { url: "https://hooks.example.com/in", description: "books" });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "INSUFFICIENT_SCOPE" });
    const plain = await register(hooks, { url: "http://hooks.example.com/in", description: "books" });
    expect(plain.status).toBe(422);
    const created = await register(hooks, { url: "https://hooks.example.com/in", description: "books" });
    expect(created.status).toBe(201);
    const answer = (await created.json()) as { webhook: { id: string; audience: string }; secret: string };
    expect(answer.secret).toMatch(/^whsec_/);
    expect(answer.webhook.audience).toBe("own");
    const listed = await get(webhooks.GET, "/webhooks", hooks);
    const text = await listed.text();
    expect(JSON.parse(text)).toMatchObject({ webhooks: [{ id: answer.webhook.id }] });
    expect(text).not.toContain(answer.secret);
  });

  it("delivers a customer's events, signed (Standard Webhooks), retries a failing receiver on schedule, resends and replays", async () => {
    const alice = await customerWithAccount(t.db, { name: "Alice Hook" });
    const bob = await customerWithAccount(t.db, { name: "Bob Hook" });
    const hook = await receiver((count) => (count <= 5 ? 500 : 204));
    try {
      const owner = { id: alice.user.id, role: "customer" as const };
      const { endpoint, secret } = await registerWebhook(t.db, owner, { url: hook.url, description: "books" }, { allowPrivate: true });
      await depositMoney(context(t.db), { accountId: alice.accountId, amount: 250 }, meta(alice.actor));
      await depositMoney(context(t.db), { accountId: bob.accountId, amount: 999 }, meta(bob.actor));
      await runWebhookOutbox(t.db);
      const queued = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id));
      expect(queued.map((row) => row.eventType)).toEqual(["MoneyDeposited"]);

      let clock = new Date();
      const now = () => clock;
      const schedule: number[] = [];
      for (let failure = 1; failure <= 5; failure += 1) {
        const report = await deliverDueWebhooks(t.db, { workerId: "w1", now, ...sendOptions });
        expect(report).toMatchObject({ attempted: 1, failed: 1 });
        const [row] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id));
        schedule.push(row!.nextAttemptAt.getTime() - clock.getTime());
        // Not due before its time.
        clock = new Date(row!.nextAttemptAt.getTime() - 1_000);
        expect((await deliverDueWebhooks(t.db, { workerId: "w1", now, ...sendOptions })).attempted).toBe(0);
        clock = row!.nextAttemptAt;
      }
      expect(schedule).toEqual([30_000, 60_000, 120_000, 240_000, 480_000]);
      expect(await deliverDueWebhooks(t.db, { workerId: "w1", now, ...sendOptions })).toMatchObject({ attempted: 1, delivered: 1 });
      expect(hook.received).toHaveLength(6);
      const ids = new Set(hook.received.map((r) => r.headers["webhook-id"]));
      expect(ids.size).toBe(1);
      const body = JSON.parse(hook.received[5]!.body) as { type: string; data: { amount: unknown } };
      expect(body).toMatchObject({ type: "MoneyDeposited", streamId: `account-${alice.accountId}` });

      const [stored] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
      const log = await webhookDeliveryLog(t.db, stored!);
      expect(log[0]).toMatchObject({ status: "delivered", attempts: 6 });
      expect(log[0]!.attemptLog.map((a) => a.status)).toEqual([500, 500, 500, 500, 500, 204]);

      // Resend one (real clock so the signature is fresh), and verify it with the library's verifier.
      expect(await resendDelivery(t.db, stored!, log[0]!.id)).toBe(true);
      await deliverDueWebhooks(t.db, { workerId: "w1", ...sendOptions });
      const last = hook.received.at(-1)!;
      const verified = new Webhook(secret).verify(last.body, {
        "webhook-id": String(last.headers["webhook-id"]),
        "webhook-timestamp": String(last.headers["webhook-timestamp"]),
        "webhook-signature": String(last.headers["webhook-signature"]),
      });
      expect(verified).toMatchObject({ type: "MoneyDeposited" });
      expect(await replayDeliveries(t.db, stored!, new Date(Date.now() - 3_600_000))).toBe(1);
      // Someone else's endpoint is not found.
      expect(await findOwnWebhook(t.db, { id: bob.user.id, role: "customer" }, endpoint.id)).toBeUndefined();
    } finally {
      await hook.close();
    }
  });

  it("stops after three days of failures and marks the endpoint failing", async () => {
    const carol = await customerWithAccount(t.db, { name: "Carol Hook" });
    const hook = await receiver(() => 503);
    try {
      const { endpoint } = await registerWebhook(
        t.db,
        { id: carol.user.id, role: "customer" },
        { url: hook.url, description: "down" },
        { allowPrivate: true },
      );
      await depositMoney(context(t.db), { accountId: carol.accountId, amount: 1 }, meta(carol.actor));
      await runWebhookOutbox(t.db);
      let clock = new Date();
      for (let i = 0; i < 40; i += 1) {
        await deliverDueWebhooks(t.db, { workerId: "w1", now: () => clock, ...sendOptions });
        const [row] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id));
        if (row!.status !== "pending") break;
        clock = row!.nextAttemptAt;
      }
      const [row] = await t.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, endpoint.id));
      expect(row!.status).toBe("failed");
      expect(row!.lastStatus).toBe(503);
      const [stored] = await t.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpoint.id));
      expect(stored!.status).toBe("failing");
      expect(clock.getTime() - row!.createdAt.getTime()).toBeLessThanOrEqual(3 * 86_400_000);
    } finally {
      await hook.close();
    }
  });
});

describe.each(postgresBackends)("subscriptions across instances on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  it("two instances running one subscriber at once process every event exactly once, in order", async () => {
    const other = await t.openAnother();
    try {
      for (let i = 0; i < 5; i += 1) await customerWithAccount(t.db, { balance: 10 + i });
      const seen: string[] = [];
      const handler = async (_tx: unknown, batch: readonly RawEvent[]) => {
        for (const event of batch) seen.push(event.eventId);
        await new Promise((resolve) => setTimeout(resolve, 5));
      };
      const runner = async (db: typeof t.db) => {
        for (let i = 0; i < 30; i += 1) await runSubscriptionBatch(db, "shared", handler, { batch: 3 });
      };
      await Promise.all([runner(t.db), runner(other.db)]);
      const all = rowsOf<{ event_id: string }>(await t.db.execute(sql`select event_id from events order by transaction_id, global_position`)).map(
        (r) => r.event_id,
      );
      expect(seen).toEqual(all);
    } finally {
      await other.close();
    }
  });

  it("keeps every stream's own order in the global order when many writers queue on one stream", { timeout: 120_000 }, async () => {
    // Several writers waiting on one stream at once is when Postgres may hand a waiter its
    // transaction id early; a subscriber (relay, webhooks) would then see position n+1 before n.
    const pools = [t.handle, await t.openAnother(4), await t.openAnother(4)];
    const accounts = await Promise.all(Array.from({ length: 4 }, (_, i) => customerWithAccount(t.db, { name: `Queue ${i}` })));
    await Promise.all(
      accounts.flatMap((account) =>
        pools.flatMap((pool) =>
          [0, 1].map(async () => {
            for (let i = 0; i < 60; i += 1) await depositMoney(context(pool.db), { accountId: account.accountId, amount: 1 }, meta({ actor: admin }));
          }),
        ),
      ),
    );
    const inversions = rowsOf<{ stream_id: string }>(
      await t.db.execute(sql`
        select stream_id from (
          select stream_id, stream_position, lag(stream_position) over (partition by stream_id order by transaction_id, global_position) as before
          from events) e
        where e.before > e.stream_position`),
    );
    expect(inversions).toEqual([]);
  });
});
