import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueApiToken } from "@/lib/auth/api-tokens";
import { closeAccount, openAccount } from "@/lib/commands/accounts";
import type { DatabaseHandle } from "@/lib/db/client";
import { apiIdempotency } from "@/lib/db/schema";
import { backends, type TestDatabase } from "../support/databases";
import { context, meta } from "../support/commands";
import { accountBalance, countEvents } from "../support/queries";
import { customerWithAccount } from "../support/bank";

// The API's route handlers called in-process against each backend: what HTTP tests against the
// embedded server cannot reach (a closed account; real concurrency on Postgres; a request that died).
const deposits = await import("@/app/api/v1/accounts/[accountId]/deposits/route");
const withdrawals = await import("@/app/api/v1/accounts/[accountId]/withdrawals/route");

type Customer = Awaited<ReturnType<typeof customerWithAccount>> & { token: string };

function call(handler: typeof deposits.POST, accountId: string, token: string, body: unknown, key?: string) {
  const headers: Record<string, string> = { "content-type": "application/json", authorization: `Bearer ${token}` };
  if (key) headers["idempotency-key"] = key;
  const request = new Request(`http://localhost/api/v1/accounts/${accountId}/x`, { method: "POST", headers, body: JSON.stringify(body) });
  return handler(request, { params: Promise.resolve({ accountId }) });
}

describe.each(backends)("API route handlers on $name", (backend) => {
  let t: TestDatabase;
  let alice: Customer;
  let bob: Customer;

  async function customer(name: string, balance: number): Promise<Customer> {
    const created = await customerWithAccount(t.db, { name, balance });
    const { token } = await issueApiToken(t.db, created.user, { name: "test", lifetimeDays: 1 }, { via: "api" });
    return { ...created, token };
  }

  beforeAll(async () => {
    t = await backend.create();
    const global = globalThis as { __ledgerlineDb?: { handle?: Promise<DatabaseHandle> } };
    (global.__ledgerlineDb ??= {}).handle = Promise.resolve(t.handle);
    alice = await customer("Alice Api", 10_000);
    bob = await customer("Bob Api", 0);
  });
  afterAll(() => t.drop());

  it("answers ACCOUNT_CLOSED (422) to a deposit or withdrawal on a closed account, recording each refusal", async () => {
    const { accountId } = await openAccount(context(t.db), { customerId: alice.user.id, currency: "EUR" }, meta(alice.actor));
    await closeAccount(context(t.db), { accountId, reason: "No longer needed" }, meta(alice.actor));
    for (const [handler, type] of [
      [deposits.POST, "DepositRejected"],
      [withdrawals.POST, "WithdrawalRejected"],
    ] as const) {
      const response = await call(handler, accountId, alice.token, { amount: 100 }, randomUUID());
      expect(response.status).toBe(422);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(await response.json()).toMatchObject({ code: "ACCOUNT_CLOSED", status: 422, event: { type, data: { code: "ACCOUNT_CLOSED", amount: 100 } } });
    }
  });

  it("applies 50 concurrent deposits with one Idempotency-Key once; the rest replay it or get 409; another amount then gets 422", async () => {
    const key = randomUUID();
    const before = await countEvents(t.db);
    const responses = await Promise.all(Array.from({ length: 50 }, () => call(deposits.POST, alice.accountId, alice.token, { amount: 700 }, key)));
    const bodies = await Promise.all(responses.map((response) => response.text()));
    const created = responses.map((response, index) => ({ status: response.status, body: bodies[index] })).filter((r) => r.status === 201);
    expect(responses.every((response) => response.status === 201 || response.status === 409)).toBe(true);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body)).size).toBe(1);
    expect(await countEvents(t.db)).toBe(before + 1);
    expect(await accountBalance(t.db, alice.accountId)).toBe(10_700n);

    const again = await call(deposits.POST, alice.accountId, alice.token, { amount: 700 }, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.text()).toBe(created[0]?.body);
    const other = await call(deposits.POST, alice.accountId, alice.token, { amount: 701 }, key);
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    expect(await countEvents(t.db)).toBe(before + 1);
  });

  it("scopes keys to the user: another customer's request with the same key is their own", async () => {
    const key = randomUUID();
    expect((await call(deposits.POST, alice.accountId, alice.token, { amount: 5 }, key)).status).toBe(201);
    const theirs = await call(deposits.POST, bob.accountId, bob.token, { amount: 5 }, key);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
    expect(await accountBalance(t.db, bob.accountId)).toBe(5n);
  });

  it("answers 409 while a claim is live, and takes over one whose request died, without applying the command twice", async () => {
    const key = randomUUID();
    const first = await call(deposits.POST, alice.accountId, alice.token, { amount: 40 }, key);
    expect(first.status).toBe(201);
    const firstBody = (await first.json()) as { event: { id: string } };
    const balance = await accountBalance(t.db, alice.accountId);
    const events = await countEvents(t.db);
    const row = and(eq(apiIdempotency.userId, alice.user.id), eq(apiIdempotency.key, key));

    // As if the first request were still running...
    await t.db.update(apiIdempotency).set({ state: "running", responseStatus: null, responseBody: null, lockedUntil: sql`now() + interval '1 minute'` }).where(row);
    const busy = await call(deposits.POST, alice.accountId, alice.token, { amount: 40 }, key);
    expect(busy.status).toBe(409);
    expect(await busy.json()).toMatchObject({ code: "IDEMPOTENCY_KEY_IN_USE" });

    // ...and as if it had died after its command committed: its lease ran out.
    await t.db.update(apiIdempotency).set({ lockedUntil: sql`now() - interval '1 second'` }).where(row);
    const retry = await call(deposits.POST, alice.accountId, alice.token, { amount: 40 }, key);
    expect(retry.status).toBe(201);
    expect(((await retry.json()) as { event: { id: string } }).event.id).toBe(firstBody.event.id);
    expect(await accountBalance(t.db, alice.accountId)).toBe(balance);
    expect(await countEvents(t.db)).toBe(events);
  });
});
