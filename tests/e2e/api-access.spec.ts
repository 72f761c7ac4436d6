import { randomUUID } from "node:crypto";

import { expect, test } from "@playwright/test";

import { client, DEMO_ADMIN, deposit, expectProblem, MISSING_ID, newCustomer, openAccount, tokenFor } from "./support/api";

// Who may call what: 401 without a valid token, 403 for customers on admin routes, 404 for what is
// not the caller's (exactly as for what does not exist), on every route.

const ADMIN_ROUTES = (accountId: string, transferId: string) =>
  [
    ["POST", `/admin/accounts/${accountId}/freeze`, { reason: "Test" }],
    ["POST", `/admin/accounts/${accountId}/unfreeze`, { reason: "Test" }],
    ["GET", `/admin/accounts/${accountId}/events`],
    ["GET", "/admin/audit"],
    ["POST", `/admin/transfers/${transferId}/release`, { reason: "Test" }],
    ["POST", `/admin/transfers/${transferId}/reject`, { reason: "Test" }],
    ["POST", "/admin/projections/rebuild", {}],
  ] as const;

const CUSTOMER_ROUTES = (accountId: string, transferId: string) =>
  [
    ["DELETE", "/auth/token"],
    ["GET", "/accounts"],
    ["POST", "/accounts", { currency: "EUR" }],
    ["GET", `/accounts/${accountId}`],
    ["POST", `/accounts/${accountId}/deposits`, { amount: 100 }],
    ["POST", `/accounts/${accountId}/withdrawals`, { amount: 100 }],
    ["GET", `/accounts/${accountId}/statement`],
    ["GET", `/transfers?accountId=${accountId}`],
    ["POST", "/transfers", { fromAccountId: accountId, toAccountNumber: "LL12 3456 7890", amount: 1 }],
    ["GET", `/transfers/${transferId}`],
  ] as const;

test("every route but sign-up, token and the document answers 401 without a valid bearer token, and changes nothing", async ({ request }) => {
  const owner = await newCustomer(request, "Owner Olga");
  const account = await openAccount(owner.api);
  await deposit(owner.api, account.id, 1_000);
  const routes = [...CUSTOMER_ROUTES(account.id, MISSING_ID), ...ADMIN_ROUTES(account.id, MISSING_ID)];
  const authHeaders = [
    undefined,
    "Bearer",
    "Bearer llt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    `Bearer ${owner.token}x`,
    `Basic ${Buffer.from(`${owner.email}:${owner.password}`).toString("base64")}`,
    owner.token,
  ];
  for (const [method, path, body] of routes) {
    for (const authorization of authHeaders) {
      const headers: Record<string, string> = { "content-type": "application/json", "idempotency-key": randomUUID() };
      if (authorization) headers.authorization = authorization;
      const response = await client(request).raw(method, path, body ? JSON.stringify(body) : undefined, headers);
      expectProblem(response, 401, "UNAUTHENTICATED");
      expect(response.headers["www-authenticate"]).toMatch(/^Bearer realm="ledgerline"/);
    }
  }
  expect(await owner.api.get(`/accounts/${account.id}`).then((r) => r.body.account)).toMatchObject({ balance: 1_000, status: "active", version: 2 });
});

test("a customer's token gets 403 on every admin route, and nothing changes", async ({ request }) => {
  const customer = await newCustomer(request, "Curious Carl");
  const account = await openAccount(customer.api);
  for (const [method, path, body] of ADMIN_ROUTES(account.id, MISSING_ID)) {
    const response = await customer.api.raw(method, path, body ? JSON.stringify(body) : undefined, { "content-type": "application/json" });
    expectProblem(response, 403, "FORBIDDEN");
  }
  expect((await customer.api.get(`/accounts/${account.id}`)).body.account).toMatchObject({ status: "active", version: 1 });
});

test("another customer's account and transfer are 404 on every route, as if they did not exist, and nothing moves", async ({ request }) => {
  const owner = await newCustomer(request, "Owner Oscar");
  const ownerAccount = await openAccount(owner.api);
  await deposit(owner.api, ownerAccount.id, 5_000);
  const payee = await openAccount(owner.api);
  const sent = await owner.api.post<{ transfer: { id: string } }>(
    "/transfers",
    { fromAccountId: ownerAccount.id, toAccountNumber: payee.number, amount: 100 },
    { key: randomUUID() },
  );
  expect(sent.status).toBe(202);
  const transferId = sent.body.transfer.id;

  const intruder = await newCustomer(request, "Intruder Ivy");
  const ownAccount = await openAccount(intruder.api);
  for (const id of [ownerAccount.id, MISSING_ID, "not-a-uuid"]) {
    expectProblem(await intruder.api.get(`/accounts/${id}`), 404, "ACCOUNT_NOT_FOUND");
    expectProblem(await intruder.api.post(`/accounts/${id}/deposits`, { amount: 100 }, { key: randomUUID() }), 404, "ACCOUNT_NOT_FOUND");
    expectProblem(await intruder.api.post(`/accounts/${id}/withdrawals`, { amount: 100 }, { key: randomUUID() }), 404, "ACCOUNT_NOT_FOUND");
    expectProblem(await intruder.api.get(`/accounts/${id}/statement`), 404, "ACCOUNT_NOT_FOUND");
  }
  for (const id of [ownerAccount.id, MISSING_ID]) {
    expectProblem(await intruder.api.get(`/transfers?accountId=${id}`), 404, "ACCOUNT_NOT_FOUND");
    expectProblem(
      await intruder.api.post("/transfers", { fromAccountId: id, toAccountNumber: ownAccount.number, amount: 100 }, { key: randomUUID() }),
      404,
      "ACCOUNT_NOT_FOUND",
    );
  }
  for (const id of [transferId, MISSING_ID, "nope"]) expectProblem(await intruder.api.get(`/transfers/${id}`), 404, "TRANSFER_NOT_FOUND");
  expect((await intruder.api.get("/transfers")).body).toEqual({ transfers: [], nextCursor: null });
  expect((await intruder.api.get("/accounts")).body.accounts).toHaveLength(1);

  // An admin's own customer routes are scoped the same way: the back office is the admin routes.
  const admin = client(request, await tokenFor(request, DEMO_ADMIN));
  expectProblem(await admin.get(`/accounts/${ownerAccount.id}`), 404, "ACCOUNT_NOT_FOUND");

  await expect
    .poll(async () => (await owner.api.get<{ account: { balance: number; available: number } }>(`/accounts/${ownerAccount.id}`)).body.account)
    .toMatchObject({ balance: 4_900, available: 4_900 });
});

test("unknown API routes answer a problem, not an HTML page", async ({ request }) => {
  const response = await client(request).get("/nothing/here");
  expectProblem(response, 404, "NOT_FOUND");
});
