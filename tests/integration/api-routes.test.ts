import { randomUUID } from "node:crypto";

import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { issueApiToken, revokeApiToken } from "@/lib/auth/api-tokens";
import { closeAccount, depositMoney, openAccount } from "@/lib/commands/accounts";
import { rowsOf, type DatabaseHandle } from "@/lib/db/client";
import { idempotencyKeys } from "@/lib/db/schema";
import { createLogger, type Logger } from "@/lib/log";

import { customerWithAccount } from "../support/bank";
import { context, meta } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";
import { accountBalance, countEvents } from "../support/queries";

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

  it("logs one line per API write, with the caller and its command; a command outside a request keeps its own line", async () => {
    const lines: Record<string, unknown>[] = [];
    const holder = ((globalThis as { __ledgerlineLog?: { logger?: Logger } }).__ledgerlineLog ??= {});
    const previous = holder.logger;
    holder.logger = createLogger({
      level: "info",
      destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    try {
      // A customer of its own: the tests below count on Alice's balance.
      const carol = await customer("Carol Log", 0);
      const accepted = await call(deposits.POST, carol.accountId, carol.token, { amount: 5 }, randomUUID());
      expect(accepted.status).toBe(201);
      const requestId = accepted.headers.get("x-request-id");
      expect(lines.filter((line) => line.requestId === requestId)).toEqual([
        expect.objectContaining({
          level: "info",
          event: "api",
          msg: "api request",
          method: "POST",
          operation: "deposit",
          status: 201,
          durationMs: expect.any(Number),
          actorRole: "customer",
          actorId: carol.user.id,
          commandType: "DepositMoney",
          outcome: "accepted",
          commandMs: expect.any(Number),
          retries: 0,
          streamId: `account-${carol.accountId}`,
          correlationId: requestId,
        }),
      ]);

      // A refusal the account records is the command's outcome on the same line.
      const { accountId } = await openAccount(context(t.db), { customerId: carol.user.id, currency: "EUR" }, meta(carol.actor));
      await closeAccount(context(t.db), { accountId, reason: "Testing the log" }, meta(carol.actor));
      lines.length = 0;
      const refused = await call(deposits.POST, accountId, carol.token, { amount: 5 }, randomUUID());
      expect(refused.status).toBe(422);
      expect(lines).toEqual([
        expect.objectContaining({ event: "api", status: 422, actorId: carol.user.id, commandType: "DepositMoney", outcome: "rejected" }),
      ]);

      // A request refused before any command: the line without command fields.
      lines.length = 0;
      const unauthenticated = await call(deposits.POST, carol.accountId, "llt_not-a-token", { amount: 5 }, randomUUID());
      expect(unauthenticated.status).toBe(401);
      expect(lines).toEqual([expect.objectContaining({ event: "api", status: 401, operation: "deposit" })]);
      expect(lines[0]).not.toHaveProperty("commandType");

      lines.length = 0;
      await depositMoney(context(t.db), { accountId: carol.accountId, amount: 1n }, meta(carol.actor));
      expect(lines).toEqual([
        expect.objectContaining({ event: "command", msg: "command handled", commandType: "DepositMoney", outcome: "accepted" }),
      ]);
    } finally {
      holder.logger = previous;
    }
  });

  it("checks the token inside the deposit's command with every answer it had before: unknown, revoked, expired, read-only, someone else's account", async () => {
    const dana = await customer("Dana Token", 1_000);
    // key null: no Idempotency-Key header.
    const deposit = (token: string, body: unknown = { amount: 5 }, key: string | null = randomUUID(), accountId = dana.accountId) =>
      call(deposits.POST, accountId, token, body, key ?? undefined);
    const refused = async (response: Response) => ({
      status: response.status,
      code: ((await response.json()) as { code?: string }).code,
      challenge: response.headers.get("www-authenticate"),
    });

    const revoked = await issueApiToken(t.db, dana.user, { name: "revoked", lifetimeDays: 1 }, { via: "api" });
    await revokeApiToken(t.db, dana.user, revoked.summary.id, { via: "api" });
    const expired = await issueApiToken(
      t.db,
      dana.user,
      { name: "expired", lifetimeDays: 1 },
      { via: "api", now: new Date(Date.now() - 2 * 86_400_000) },
    );
    const readOnly = await issueApiToken(t.db, dana.user, { name: "read", lifetimeDays: 1, scope: "read" }, { via: "api" });
    const before = await countEvents(t.db);
    const invalid = { status: 401, code: "UNAUTHENTICATED", challenge: 'Bearer realm="ledgerline", error="invalid_token"' };
    expect(await refused(await deposit(`llt_${"x".repeat(43)}`))).toEqual(invalid);
    expect(await refused(await deposit(revoked.token))).toEqual(invalid);
    expect(await refused(await deposit(expired.token))).toEqual(invalid);
    expect(await refused(await deposit(readOnly.token))).toMatchObject({ status: 403, code: "INSUFFICIENT_SCOPE" });
    expect(await refused(await deposit(alice.token))).toMatchObject({ status: 404, code: "ACCOUNT_NOT_FOUND" });
    // What fails before the command still answers for the token first, as when it was looked up first.
    expect(await refused(await deposit(revoked.token, { amount: -1 }))).toEqual(invalid);
    expect(await refused(await deposit(revoked.token, { amount: 5 }, null))).toEqual(invalid);
    expect(await refused(await deposit(readOnly.token, { amount: -1 }))).toMatchObject({ status: 403, code: "INSUFFICIENT_SCOPE" });
    expect(await refused(await deposit(dana.token, { amount: -1 }))).toMatchObject({ status: 422, code: "VALIDATION_FAILED" });
    expect(await refused(await deposit(dana.token, { amount: 5 }, null))).toMatchObject({ status: 400, code: "IDEMPOTENCY_KEY_MISSING" });
    expect(await countEvents(t.db)).toBe(before);
    expect(await accountBalance(t.db, dana.accountId)).toBe(1_000n);

    // The key belongs to the user, not the token: another token of Dana's replays the first answer.
    const key = randomUUID();
    const first = await deposit(dana.token, { amount: 7 }, key);
    expect(first.status).toBe(201);
    const second = await issueApiToken(t.db, dana.user, { name: "second", lifetimeDays: 1 }, { via: "api" });
    const replayed = await deposit(second.token, { amount: 7 }, key);
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(await replayed.text()).toBe(await first.text());
    expect(await accountBalance(t.db, dana.accountId)).toBe(1_007n);
    // The same key from another customer is their own key: it is checked against their account.
    expect(await refused(await deposit(alice.token, { amount: 7 }, key))).toMatchObject({ status: 404, code: "ACCOUNT_NOT_FOUND" });
    // Callers queued on one account run in one transaction: each is admitted or refused on its own.
    const tokens = [dana.token, revoked.token, alice.token, dana.token, readOnly.token, dana.token];
    const statuses = await Promise.all(tokens.map(async (token) => (await deposit(token, { amount: 1 })).status));
    expect(statuses).toEqual([201, 401, 404, 201, 403, 201]);
    expect(await accountBalance(t.db, dana.accountId)).toBe(1_010n);
    // Each token's last use is written, with the command.
    const used = rowsOf<{ id: string; last_used_at: unknown }>(
      await t.db.execute(sql`select id, last_used_at from api_tokens where user_id = ${dana.user.id}`),
    );
    const lastUsed = new Map(used.map((row) => [row.id, row.last_used_at]));
    expect(lastUsed.get(second.summary.id)).not.toBeNull();
    expect(lastUsed.get(revoked.summary.id)).toBeNull();
  });

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
      expect(await response.json()).toMatchObject({
        code: "ACCOUNT_CLOSED",
        status: 422,
        event: { type, data: { code: "ACCOUNT_CLOSED", amount: 100 } },
      });
    }
  });

  it("applies 50 concurrent deposits with one Idempotency-Key once: every answer is the stored one; another amount then gets 422", async () => {
    const key = randomUUID();
    const before = await countEvents(t.db);
    const responses = await Promise.all(Array.from({ length: 50 }, () => call(deposits.POST, alice.accountId, alice.token, { amount: 700 }, key)));
    const bodies = await Promise.all(responses.map((response) => response.text()));
    // One instance queues them on the account: none is "in flight" when it gets its turn.
    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(201));
    expect(new Set(bodies).size).toBe(1);
    expect(responses.filter((response) => response.headers.get("idempotent-replayed") === "true")).toHaveLength(49);
    expect(await countEvents(t.db)).toBe(before + 1);
    expect(await accountBalance(t.db, alice.accountId)).toBe(10_700n);

    const again = await call(deposits.POST, alice.accountId, alice.token, { amount: 700 }, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.text()).toBe(bodies[0]);
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

  it("records the key, the request's hash and the response in the command's own transaction, and replays that stored response", async () => {
    const key = randomUUID();
    const first = await call(deposits.POST, alice.accountId, alice.token, { amount: 40, reference: "kept" }, key);
    expect(first.status).toBe(201);
    const firstBody = await first.text();
    const rows = await t.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.scope, alice.user.id), eq(idempotencyKeys.key, `api:${key}`)));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ responseStatus: 201, responseBody: firstBody });
    // The key's record and the event are one commit: the event carries the same command id.
    const event = (JSON.parse(firstBody) as { event: { id: string } }).event;
    const stored = await t.db.execute(sql`select metadata->>'commandId' as command_id from events where event_id = ${event.id}`);
    expect(rowsOf<{ command_id: string }>(stored)[0]?.command_id).toBe(`api:${key}`);
    const retry = await call(deposits.POST, alice.accountId, alice.token, { reference: "kept", amount: 40 }, key);
    expect(await retry.text()).toBe(firstBody);
  });

  it('takes only what the OpenAPI document says: " 10 " or "-5" as an amount is refused and nothing is written', async () => {
    const before = await countEvents(t.db);
    for (const amount of [" 10 ", "10 ", "-5", "1e3", "0x10", 10.5]) {
      const response = await call(deposits.POST, alice.accountId, alice.token, { amount }, randomUUID());
      expect(response.status, `amount ${JSON.stringify(amount)}`).toBe(422);
      expect(await response.json()).toMatchObject({ code: "VALIDATION_FAILED", errors: [{ field: "amount" }] });
    }
    expect(await countEvents(t.db)).toBe(before);
  });
});
