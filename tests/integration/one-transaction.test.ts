import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { issueApiToken } from "@/lib/auth/api-tokens";
import { depositMoney, openAccount } from "@/lib/commands/accounts";
import { pgliteOf } from "@/lib/db/adapter";
import { openDatabase, rowsOf, type Database, type DatabaseHandle } from "@/lib/db/client";
import * as schema from "@/lib/db/schema";

import { customerWithAccount } from "../support/bank";
import { context, meta } from "../support/commands";
import { backends, postgresBackends, type TestDatabase } from "../support/databases";
import { startPgTap, type PgTap } from "../support/pg-tap";
import { accountBalance } from "../support/queries";

// One request that changes anything is one transaction, and a retry with the same Idempotency-Key
// gets the first request's answer whatever happened to it. The crash cases cut the command at its
// COMMIT: before it (the database rolls back) and after it (committed, but the client never heard).

const deposits = await import("@/app/api/v1/accounts/[accountId]/deposits/route");
const transfers = await import("@/app/api/v1/transfers/route");

const global = globalThis as { __ledgerlineDb?: { handle?: Promise<DatabaseHandle> } };
const useHandle = (handle: DatabaseHandle) => ((global.__ledgerlineDb ??= {}).handle = Promise.resolve(handle));

function post(handler: typeof deposits.POST, path: string, token: string, body: unknown, key: string, params: Record<string, string> = {}) {
  const request = new Request(`http://localhost/api/v1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "idempotency-key": key },
    body: JSON.stringify(body),
  });
  return handler(request, { params: Promise.resolve(params) });
}

type CrashPoint = "before-commit" | "after-commit";

/** Crashes the next command of `handle` at `point`, once; a backend-specific way to do it. */
type Crasher = { handle: DatabaseHandle; arm: (point: CrashPoint) => void; close: () => Promise<void> };

async function postgresCrasher(t: TestDatabase): Promise<Crasher> {
  const tap = await startPgTap({ host: "127.0.0.1", port: Number(new URL(t.url!).port || 5432) });
  const handle = await openDatabase({ kind: "postgres", url: tap.url(t.url!), poolMax: 4 });
  return {
    handle,
    arm(point) {
      let armed = true;
      tap.onClient = (message) =>
        armed && point === "before-commit" && (message.type === "Q" || message.type === "B") && message.text === "commit"
          ? ((armed = false), "cut")
          : "forward";
      tap.onServer = (message) =>
        armed && point === "after-commit" && message.type === "C" && message.text === "COMMIT" ? ((armed = false), "cut") : "forward";
    },
    async close() {
      await handle.close().catch(() => {});
      await tap.close();
    },
  };
}

class Crash extends Error {}

/**
 * PGlite runs in this process, so "dying" at the commit is a throw: just before the transaction
 * commits (it rolls back), or just after it did (the caller never gets the result).
 */
async function pgliteCrasher(t: TestDatabase): Promise<Crasher> {
  const client = pgliteOf(t.handle.db);
  if (!client) throw new Error("the PGlite backend's database has no PGlite client");
  let armed: CrashPoint | undefined;
  const faulty = new Proxy(client, {
    get(target, property) {
      // PGlite keeps private fields: its methods must run on the real object, not the proxy.
      if (property !== "transaction") {
        const value = Reflect.get(target, property) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      }
      return async (work: (tx: unknown) => Promise<unknown>) => {
        const point = armed;
        armed = undefined;
        const result = await target.transaction(async (tx) => {
          const value = await work(tx);
          if (point === "before-commit") throw new Crash("died before COMMIT");
          return value;
        });
        if (point === "after-commit") throw new Crash("died after COMMIT");
        return result;
      };
    },
  });
  const db: Database = drizzle({ client: faulty, schema });
  return { handle: { ...t.handle, db }, arm: (point) => (armed = point), close: async () => {} };
}

describe.each(backends)("one transaction per request on $name", (backend) => {
  let t: TestDatabase;
  let crasher: Crasher;
  let customer: Awaited<ReturnType<typeof customerWithAccount>> & { token: string };
  let payee: Awaited<ReturnType<typeof customerWithAccount>>;
  /** Transfers go from their own account: their steps run on after the answer, apart from the deposits. */
  let transferFrom: string;

  beforeAll(async () => {
    t = await backend.create();
    crasher = backend.name === "postgres" ? await postgresCrasher(t) : await pgliteCrasher(t);
    const created = await customerWithAccount(t.db, { name: "Crash Carla", balance: 100_000 });
    const { token } = await issueApiToken(t.db, created.user, { name: "test", lifetimeDays: 1 }, { via: "api" });
    customer = { ...created, token };
    payee = await customerWithAccount(t.db, { name: "Payee Pete" });
    const second = await openAccount(context(t.db), { customerId: customer.user.id, currency: "EUR" }, meta(customer.actor));
    await depositMoney(context(t.db), { accountId: second.accountId, amount: 10_000 }, meta(customer.actor));
    transferFrom = second.accountId;
  });
  afterEach(() => useHandle(t.handle));
  afterAll(async () => {
    await crasher.close();
    await t.drop();
  });

  async function deposited(accountId: string): Promise<number> {
    return rowsOf<{ n: number }>(
      await t.db.execute(sql`select count(*)::int as n from events where stream_id = ${`account-${accountId}`} and event_type = 'MoneyDeposited'`),
    )[0]!.n;
  }

  async function numberOf(accountId: string): Promise<string> {
    return rowsOf<{ number: string }>(await t.db.execute(sql`select number from account_summary where account_id = ${accountId}`))[0]!.number;
  }

  for (const point of ["before-commit", "after-commit"] as const) {
    it(`a deposit that died ${point.replace("-", " ")} and is retried with its key has one effect, and every retry gets the same answer`, async () => {
      const key = randomUUID();
      const events = await deposited(customer.accountId);
      const balance = await accountBalance(t.db, customer.accountId);
      useHandle(crasher.handle);
      crasher.arm(point);
      const died = await post(deposits.POST, `/accounts/${customer.accountId}/deposits`, customer.token, { amount: 700 }, key, {
        accountId: customer.accountId,
      });
      // The client only sees that the request failed; it cannot know whether the money moved.
      expect(died.status).toBe(500);
      expect(await deposited(customer.accountId)).toBe(point === "before-commit" ? events : events + 1);

      useHandle(t.handle);
      const retry = await post(deposits.POST, `/accounts/${customer.accountId}/deposits`, customer.token, { amount: 700 }, key, {
        accountId: customer.accountId,
      });
      expect(retry.status).toBe(201);
      expect(retry.headers.get("idempotent-replayed")).toBe(point === "after-commit" ? "true" : null);
      const body = await retry.text();
      const again = await post(deposits.POST, `/accounts/${customer.accountId}/deposits`, customer.token, { amount: 700 }, key, {
        accountId: customer.accountId,
      });
      expect(await again.text()).toBe(body);
      expect(await deposited(customer.accountId)).toBe(events + 1);
      expect(await accountBalance(t.db, customer.accountId)).toBe(balance + 700n);
      expect(JSON.parse(body)).toMatchObject({
        account: { balance: Number(balance + 700n) },
        event: { type: "MoneyDeposited", data: { amount: 700 } },
      });
    });

    it(`a transfer that died ${point.replace("-", " ")} and is retried with its key is one transfer with the first one's id`, async () => {
      const key = randomUUID();
      const body = { fromAccountId: transferFrom, toAccountNumber: await numberOf(payee.accountId), amount: 250, reference: `crash ${point}` };
      const before = rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from transfers_view`))[0]!.n;
      useHandle(crasher.handle);
      crasher.arm(point);
      expect((await post(transfers.POST, "/transfers", customer.token, body, key)).status).toBe(500);
      const recorded = rowsOf<{ transfer_id: string }>(
        await t.db.execute(sql`select transfer_id from transfers_view where reference = ${body.reference}`),
      );
      expect(recorded).toHaveLength(point === "before-commit" ? 0 : 1);

      useHandle(t.handle);
      const retry = await post(transfers.POST, "/transfers", customer.token, body, key);
      expect(retry.status).toBe(202);
      const answer = (await retry.json()) as { transfer: { id: string; status: string } };
      if (recorded[0]) expect(answer.transfer.id).toBe(recorded[0].transfer_id);
      const again = (await (await post(transfers.POST, "/transfers", customer.token, body, key)).json()) as typeof answer;
      expect(again).toEqual(answer);
      expect(rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from transfers_view`))[0]!.n).toBe(before + 1);
    });
  }
});

describe.each(postgresBackends)("the round-trip budget of an API deposit on $name", (backend) => {
  let t: TestDatabase;
  let tap: PgTap;
  let handle: DatabaseHandle;
  beforeAll(async () => {
    t = await backend.create();
    // 50 ms of latency on the way back: a statement sent without waiting is never mistaken for a round trip.
    tap = await startPgTap({ host: "127.0.0.1", port: Number(new URL(t.url!).port || 5432) }, { latencyMs: 50 });
    // One connection, so the measured request runs on the one the warm-up prepared its statements on.
    handle = await openDatabase({ kind: "postgres", url: tap.url(t.url!), poolMax: 1 });
  });
  afterAll(async () => {
    useHandle(t.handle);
    await handle.close();
    await tap.close();
    await t.drop();
  });

  it("counts what a client waits for: three pipelined statements are one round trip, three awaited ones three", async () => {
    const sql = postgres(tap.url(t.url!), { max: 1, onnotice: () => {} });
    try {
      await sql`select 1`;
      tap.reset();
      await Promise.all([sql`select 1`, sql`select 2`, sql`select 3`]);
      expect(tap.counts().flights).toBe(1);
      tap.reset();
      for (let n = 0; n < 3; n++) await sql`select 1`;
      expect(tap.counts().flights).toBe(3);
    } finally {
      await sql.end();
    }
  });

  it("is at most 2 round trips, 6 statements and 1 commit (it was 7 round trips, 9 statements and 3 commits; 3 round trips with the token looked up first)", async () => {
    const created = await customerWithAccount(t.db, { name: "Counted Cora", balance: 1_000 });
    const { token } = await issueApiToken(t.db, created.user, { name: "test", lifetimeDays: 1 }, { via: "api" });
    useHandle(handle);
    const deposit = (amount: number) =>
      post(deposits.POST, `/accounts/${created.accountId}/deposits`, token, { amount }, randomUUID(), { accountId: created.accountId });
    // Warm: connections open, statements prepared, the token's last-use time written.
    for (let i = 0; i < 30; i++) expect((await deposit(1)).status).toBe(201);
    tap.reset();
    expect((await deposit(2)).status).toBe(201);
    const counts = tap.counts();
    expect(counts.commits, counts.queries.join("\n")).toBe(1);
    expect(counts.flights, counts.queries.join("\n")).toBeLessThanOrEqual(2);
    expect(counts.statements, counts.queries.join("\n")).toBeLessThanOrEqual(6);
  });
});
