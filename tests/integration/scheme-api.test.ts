import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { issueApiToken } from "@/lib/auth/api-tokens";
import { createScheme } from "@/lib/auth/schemes";
import { registerUser } from "@/lib/auth/users";
import { addSanctionsEntry } from "@/lib/commands/transfers";
import { rowsOf, type DatabaseHandle } from "@/lib/db/client";

import { customerWithAccount } from "../support/bank";
import { admin, context, meta } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";
import { accountBalance } from "../support/queries";

// The scheme operations' route handlers called in-process: the role checks, the idempotency by the
// scheme's payment id, and the admin's review over the API.
const inbound = await import("@/app/api/v1/scheme/inbound-payments/route");
const oneInbound = await import("@/app/api/v1/scheme/inbound-payments/[schemePaymentId]/route");
const release = await import("@/app/api/v1/admin/inbound-payments/[paymentId]/release/route");
const accounts = await import("@/app/api/v1/accounts/route");

const json = (token: string, body?: unknown, method = "POST") =>
  new Request("http://localhost/api/v1/x", {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const noParams = { params: Promise.resolve({}) };

describe.each(backends)("scheme API on $name", (backend) => {
  let t: TestDatabase;
  let schemeToken: string;
  let otherSchemeToken: string;
  let adminToken: string;

  beforeAll(async () => {
    t = await backend.create();
    const global = globalThis as { __ledgerlineDb?: { handle?: Promise<DatabaseHandle> } };
    (global.__ledgerlineDb ??= {}).handle = Promise.resolve(t.handle);
    schemeToken = (await createScheme(t.db, { name: "Test Scheme" })).token;
    otherSchemeToken = (await createScheme(t.db, { name: "Other Scheme" })).token;
    const adminUser = await registerUser(
      t.db,
      { name: "Api Admin", email: `a-${randomUUID()}@example.com`, password: "a test pass phrase" },
      { role: "admin" },
    );
    adminToken = (await issueApiToken(t.db, adminUser, { name: "admin", lifetimeDays: 1 }, { via: "api" })).token;
  });
  afterAll(() => t.drop());

  async function numberOf(accountId: string) {
    return rowsOf<{ number: string }>(await t.db.execute(sql`select number from account_summary where account_id = ${accountId}`))[0]!.number;
  }
  const body = (accountNumber: string, overrides: Record<string, unknown> = {}) => ({
    schemePaymentId: `SIM-${randomUUID()}`.slice(0, 40),
    accountNumber,
    amount: 4_200,
    currency: "EUR",
    debtorName: "Paula Outside",
    debtorAccount: "FR7630006000011234567890189",
    reference: "Rent",
    ...overrides,
  });

  it("credits a payment once when the scheme sends it twice, and answers the same payment both times", async () => {
    const dana = await customerWithAccount(t.db, { name: "Dana Scheme" });
    const payment = body(await numberOf(dana.accountId));
    const first = await inbound.POST(json(schemeToken, payment), noParams);
    expect(first.status).toBe(200);
    const firstBody = await first.json();
    expect(firstBody.payment).toMatchObject({ status: "credited", schemePaymentId: payment.schemePaymentId, amount: 4_200, returnCode: null });
    const second = await inbound.POST(json(schemeToken, payment), noParams);
    expect(second.status).toBe(200);
    expect((await second.json()).payment).toMatchObject({ id: firstBody.payment.id, status: "credited" });
    expect(await accountBalance(t.db, dana.accountId)).toBe(4_200n);

    const read = await oneInbound.GET(json(schemeToken, undefined, "GET"), { params: Promise.resolve({ schemePaymentId: payment.schemePaymentId }) });
    expect((await read.json()).payment.status).toBe("credited");
    // Another scheme cannot read it, nor make it credit again under its own name... it is another payment.
    const foreign = await oneInbound.GET(json(otherSchemeToken, undefined, "GET"), {
      params: Promise.resolve({ schemePaymentId: payment.schemePaymentId }),
    });
    expect(foreign.status).toBe(404);
    const changed = await inbound.POST(json(schemeToken, { ...payment, amount: 1 }), noParams);
    expect(changed.status).toBe(409);
    expect(await changed.json()).toMatchObject({ code: "SCHEME_PAYMENT_ID_REUSED" });
    expect(await accountBalance(t.db, dana.accountId)).toBe(4_200n);
  });

  it("refuses a customer's token on the scheme operations and a scheme's token everywhere else", async () => {
    const eve = await customerWithAccount(t.db, { name: "Eve Forger" });
    const customerToken = (await issueApiToken(t.db, eve.user, { name: "eve", lifetimeDays: 1 }, { via: "api" })).token;
    const forged = await inbound.POST(json(customerToken, body(await numberOf(eve.accountId), { amount: 1_000_000 })), noParams);
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ code: "ROLE_NOT_ALLOWED" });
    expect(await accountBalance(t.db, eve.accountId)).toBe(0n);
    const schemeAsCustomer = await accounts.GET(json(schemeToken, undefined, "GET"), noParams);
    expect(schemeAsCustomer.status).toBe(403);
    const schemeAsAdmin = await release.POST(json(schemeToken, { reason: "let it go" }), { params: Promise.resolve({ paymentId: randomUUID() }) });
    expect(schemeAsAdmin.status).toBe(403);
  });

  it("answers a returned payment for an unknown account, and bad input with 422 naming the fields", async () => {
    const unknown = await inbound.POST(json(schemeToken, body("LL99 9999 9999")), noParams);
    expect((await unknown.json()).payment).toMatchObject({ status: "returned", returnCode: "ACCOUNT_UNKNOWN" });
    const bad = await inbound.POST(json(schemeToken, { ...body("LL99 9999 9999"), schemePaymentId: "", extra: true }), noParams);
    expect(bad.status).toBe(422);
    const problem = await bad.json();
    expect(problem.code).toBe("VALIDATION_FAILED");
    expect(problem.errors.map((error: { field: string }) => error.field)).toEqual(expect.arrayContaining(["schemePaymentId"]));
  });

  it("holds a payment from a sanctioned name until an admin releases it over the API", async () => {
    await addSanctionsEntry(context(t.db), { name: "Shadow Holdings", reason: "test list" }, meta({ actor: admin }));
    const fay = await customerWithAccount(t.db, { name: "Fay Scheme Held" });
    const held = await inbound.POST(json(schemeToken, body(await numberOf(fay.accountId), { debtorName: "Shadow Holdings" })), noParams);
    const payment = (await held.json()).payment;
    expect(payment.status).toBe("held");
    expect(await accountBalance(t.db, fay.accountId)).toBe(0n);
    const released = await release.POST(json(adminToken, { reason: "Cleared by compliance" }), {
      params: Promise.resolve({ paymentId: payment.id }),
    });
    expect(released.status).toBe(200);
    expect((await released.json()).payment.status).toBe("credited");
    expect(await accountBalance(t.db, fay.accountId)).toBe(4_200n);
    const again = await release.POST(json(adminToken, { reason: "twice" }), { params: Promise.resolve({ paymentId: payment.id }) });
    expect(again.status).toBe(422);
    expect(await again.json()).toMatchObject({ code: "INBOUND_PAYMENT_NOT_HELD" });
  });
});
