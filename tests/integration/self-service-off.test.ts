import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { issueApiToken } from "@/lib/auth/api-tokens";
import { createScheme } from "@/lib/auth/schemes";
import { rowsOf, type DatabaseHandle } from "@/lib/db/client";

import { customerWithAccount } from "../support/bank";
import { backends, type TestDatabase } from "../support/databases";
import { accountBalance, countEvents } from "../support/queries";

// This file's process runs with deposits and withdrawals off, as a bank whose money arrives only
// from the payment scheme (settings are read once per process).
process.env.SELF_SERVICE_DEPOSITS = "false";
const deposits = await import("@/app/api/v1/accounts/[accountId]/deposits/route");
const withdrawals = await import("@/app/api/v1/accounts/[accountId]/withdrawals/route");
const inbound = await import("@/app/api/v1/scheme/inbound-payments/route");

const post = (token: string, body: unknown) =>
  new Request("http://localhost/api/v1/x", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "idempotency-key": randomUUID() },
    body: JSON.stringify(body),
  });

describe.each(backends)("SELF_SERVICE_DEPOSITS=false on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
    const global = globalThis as { __ledgerlineDb?: { handle?: Promise<DatabaseHandle> } };
    (global.__ledgerlineDb ??= {}).handle = Promise.resolve(t.handle);
  });
  afterAll(() => t.drop());

  it("refuses a customer's deposit and withdrawal over the API and records nothing; a scheme payment still credits", async () => {
    const dana = await customerWithAccount(t.db, { name: "Dana No Deposits" });
    const token = (await issueApiToken(t.db, dana.user, { name: "t", lifetimeDays: 1 }, { via: "api" })).token;
    const before = await countEvents(t.db);
    for (const handler of [deposits.POST, withdrawals.POST]) {
      const response = await handler(post(token, { amount: 1_000 }), { params: Promise.resolve({ accountId: dana.accountId }) });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ code: "SELF_SERVICE_OFF" });
    }
    expect(await countEvents(t.db)).toBe(before);
    const number = rowsOf<{ number: string }>(await t.db.execute(sql`select number from account_summary where account_id = ${dana.accountId}`))[0]!
      .number;
    const scheme = await createScheme(t.db, { name: "Only Way In" });
    const credited = await inbound.POST(
      post(scheme.token, {
        schemePaymentId: "SALARY-1",
        accountNumber: number,
        amount: 250_000,
        currency: "EUR",
        debtorName: "Employer GmbH",
        debtorAccount: "DE02100100109307118603",
      }),
      { params: Promise.resolve({}) },
    );
    expect((await credited.json()).payment.status).toBe("credited");
    expect(await accountBalance(t.db, dana.accountId)).toBe(250_000n);
  });
});
