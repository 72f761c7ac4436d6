import { randomUUID } from "node:crypto";

import { expect, test } from "@playwright/test";

import { account, client, DEMO_ADMIN, deposit, errorFields, expectProblem, newCustomer, openAccount, tokenFor } from "./support/api";

const ACCOUNT_KEYS = ["available", "balance", "currency", "id", "nickname", "number", "openedAt", "ownerId", "reserved", "status", "version"];

test("opens, lists and reads accounts in the shape docs/api.md gives, amounts as integers of minor units", async ({ request }) => {
  const customer = await newCustomer(request, "Opal Opener");
  const opened = await customer.api.post<{ account: Record<string, unknown> }>("/accounts", { currency: "JPY", nickname: "Travel" });
  expect(opened.status).toBe(201);
  expect(Object.keys(opened.body.account).sort()).toEqual(ACCOUNT_KEYS);
  expect(opened.body.account).toMatchObject({
    ownerId: customer.id,
    currency: "JPY",
    nickname: "Travel",
    status: "active",
    balance: 0,
    reserved: 0,
    available: 0,
    version: 1,
  });
  expect(opened.body.account.number).toMatch(/^LL\d{10}$/);
  const second = await openAccount(customer.api, "EUR");

  const listed = await customer.api.get<{ accounts: { id: string }[] }>("/accounts");
  expect(listed.body.accounts.map((a) => a.id)).toEqual([opened.body.account.id, second.id]);
  expect((await customer.api.get(`/accounts/${second.id}`)).body).toEqual({ account: second });
});

test("opening an account validates every field, and an Idempotency-Key (optional there) makes a retry open one account", async ({ request }) => {
  const customer = await newCustomer(request, "Vera Validate");
  const bad = await customer.api.post("/accounts", { currency: "XXX", nickname: "n".repeat(41), color: "blue" });
  expectProblem(bad, 422, "VALIDATION_FAILED");
  expect(errorFields(bad)).toEqual(["color", "currency", "nickname"]);
  const control = await customer.api.post("/accounts", { currency: "EUR", nickname: "tab\there" });
  expect(errorFields(control)).toEqual(["nickname"]);
  expect(errorFields(await customer.api.post("/accounts", { nickname: 5 }))).toEqual(["currency", "nickname"]);

  const key = randomUUID();
  const first = await customer.api.post("/accounts", { currency: "GBP" }, { key });
  const again = await customer.api.post("/accounts", { currency: "GBP" }, { key });
  expect(first.status).toBe(201);
  expect(again.text).toBe(first.text);
  expect((await customer.api.get<{ accounts: unknown[] }>("/accounts")).body.accounts).toHaveLength(1);
});

test("deposits and withdrawals answer 201 with the account and the event, and refusals 422 with their code, recorded but moving nothing", async ({
  request,
}) => {
  const customer = await newCustomer(request, "Mo Money");
  const { id } = await openAccount(customer.api, "EUR");
  const deposited = await customer.api.post<{ account: Record<string, unknown>; event: Record<string, unknown> }>(
    `/accounts/${id}/deposits`,
    { amount: "12550", reference: "Salary" },
    { key: randomUUID() },
  );
  expect(deposited.status).toBe(201);
  expect(deposited.body.account).toMatchObject({ id, balance: 12_550, available: 12_550, version: 2 });
  expect(deposited.body.event).toMatchObject({ type: "MoneyDeposited", streamPosition: 2, data: { amount: 12_550, reference: "Salary" } });

  const withdrawn = await customer.api.post<{ account: Record<string, unknown>; event: Record<string, unknown> }>(
    `/accounts/${id}/withdrawals`,
    { amount: 2_550 },
    { key: randomUUID() },
  );
  expect(withdrawn.status).toBe(201);
  expect(withdrawn.body).toMatchObject({
    account: { balance: 10_000, version: 3 },
    event: { type: "MoneyWithdrawn", data: { amount: 2_550, reference: null } },
  });

  const short = await customer.api.post(`/accounts/${id}/withdrawals`, { amount: 10_001 }, { key: randomUUID() });
  expectProblem(short, 422, "INSUFFICIENT_FUNDS");
  expect(short.body.detail).toBe("Withdrawal refused: insufficient funds. You asked for €100.01 but only €100.00 is available.");
  expect(short.body.event).toMatchObject({ type: "WithdrawalRejected", data: { code: "INSUFFICIENT_FUNDS", amount: 10_001, available: 10_000 } });

  const large = await customer.api.post(`/accounts/${id}/deposits`, { amount: 100_000_001 }, { key: randomUUID() });
  expectProblem(large, 422, "AMOUNT_TOO_LARGE");
  expect(errorFields(large)).toEqual(["amount"]);
  expectProblem(await customer.api.post(`/accounts/${id}/withdrawals`, { amount: "100000001" }, { key: randomUUID() }), 422, "AMOUNT_TOO_LARGE");

  // The refusal is a fact (version 4), the limit check appended nothing.
  expect(await account(customer.api, id)).toMatchObject({ balance: 10_000, version: 4 });
});

test("a frozen account refuses deposits and withdrawals with ACCOUNT_FROZEN until an admin unfreezes it", async ({ request }) => {
  const customer = await newCustomer(request, "Frida Frozen");
  const { id } = await openAccount(customer.api, "EUR");
  await deposit(customer.api, id, 5_000);
  const admin = client(request, await tokenFor(request, DEMO_ADMIN));
  expect((await admin.post(`/admin/accounts/${id}/freeze`, { reason: "Checking a report", category: "compliance_review" })).status).toBe(200);

  const refusedDeposit = await customer.api.post(`/accounts/${id}/deposits`, { amount: 100 }, { key: randomUUID() });
  expectProblem(refusedDeposit, 422, "ACCOUNT_FROZEN");
  expect(refusedDeposit.body.event).toMatchObject({ type: "DepositRejected", data: { code: "ACCOUNT_FROZEN" } });
  expectProblem(await customer.api.post(`/accounts/${id}/withdrawals`, { amount: 100 }, { key: randomUUID() }), 422, "ACCOUNT_FROZEN");
  expect(await account(customer.api, id)).toMatchObject({ status: "frozen", balance: 5_000 });

  expect((await admin.post(`/admin/accounts/${id}/unfreeze`, { reason: "Cleared" })).status).toBe(200);
  expect(await deposit(customer.api, id, 100)).toMatchObject({ status: "active", balance: 5_100 });
});

test("money commands list every field's problem and append nothing", async ({ request }) => {
  const customer = await newCustomer(request, "Fiona Fields");
  const { id } = await openAccount(customer.api, "EUR");
  await deposit(customer.api, id, 1_000);
  const cases: [unknown, string[]][] = [
    [{}, ["amount"]],
    [{ amount: 0 }, ["amount"]],
    [{ amount: -5 }, ["amount"]],
    [{ amount: 10.5 }, ["amount"]],
    [{ amount: "10.50" }, ["amount"]],
    [{ amount: "1e3" }, ["amount"]],
    [{ amount: 1e300 }, ["amount"]],
    [{ amount: null }, ["amount"]],
    [{ amount: true }, ["amount"]],
    [{ amount: 100, reference: "r".repeat(141) }, ["reference"]],
    [{ amount: 100, reference: "line\nbreak" }, ["reference"]],
    [{ amount: 100, reference: 12 }, ["reference"]],
    [{ amount: 100, accountId: id }, ["accountId"]],
    [{ amount: -1, reference: [], currency: "EUR" }, ["amount", "currency", "reference"]],
  ];
  for (const path of [`/accounts/${id}/deposits`, `/accounts/${id}/withdrawals`]) {
    for (const [body, fields] of cases) {
      const response = await customer.api.post(path, body, { key: randomUUID() });
      expectProblem(response, 422, "VALIDATION_FAILED");
      expect(errorFields(response), JSON.stringify(body)).toEqual(fields);
    }
  }
  expect(await account(customer.api, id)).toMatchObject({ balance: 1_000, version: 2 });
});

test("the statement pages newest first by keyset, filters by type and date, and refuses bad parameters", async ({ request }) => {
  const customer = await newCustomer(request, "Stella Statement");
  const { id } = await openAccount(customer.api, "USD");
  for (const amount of [100, 200, 300, 400, 500]) await deposit(customer.api, id, amount);
  await customer.api.post(`/accounts/${id}/withdrawals`, { amount: 5_000 }, { key: randomUUID() });

  const seen: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: { body: { entries: { position: number }[]; nextCursor: string | null } } = await customer.api.get(
      `/accounts/${id}/statement?limit=2${cursor ? `&cursor=${cursor}` : ""}`,
    );
    seen.push(...page.body.entries.map((entry) => entry.position));
    cursor = page.body.nextCursor;
    pages++;
  } while (cursor && pages < 10);
  expect(seen).toEqual([7, 6, 5, 4, 3, 2]);
  expect(pages).toBe(3);

  const first = await customer.api.get<{ entries: Record<string, unknown>[] }>(`/accounts/${id}/statement?limit=1`);
  expect(first.body.entries[0]).toEqual({
    position: 7,
    kind: "withdrawal",
    outcome: "rejected",
    amount: 5_000,
    balanceChange: 0,
    balanceAfter: 1_500,
    currency: "USD",
    reference: null,
    counterparty: null,
    transferId: null,
    rejectionCode: "INSUFFICIENT_FUNDS",
    recordedAt: expect.any(String),
  });
  const deposits = await customer.api.get<{ entries: { kind: string }[] }>(`/accounts/${id}/statement?type=deposit`);
  expect(deposits.body.entries.map((entry) => entry.kind)).toEqual(Array(5).fill("deposit"));
  expect((await customer.api.get<{ entries: unknown[] }>(`/accounts/${id}/statement?type=rejected`)).body.entries).toHaveLength(1);
  expect((await customer.api.get<{ entries: unknown[] }>(`/accounts/${id}/statement?to=2000-01-01`)).body.entries).toHaveLength(0);
  const today = new Date().toISOString().slice(0, 10);
  expect((await customer.api.get<{ entries: unknown[] }>(`/accounts/${id}/statement?from=${today}&to=${today}`)).body.entries).toHaveLength(6);

  const bad = await customer.api.get(`/accounts/${id}/statement?limit=0&cursor=abc&type=bogus&from=2026-13-01&to=yesterday&sort=asc`);
  expectProblem(bad, 422, "VALIDATION_FAILED");
  expect(errorFields(bad)).toEqual(["cursor", "from", "limit", "sort", "to", "type"]);
  expect(errorFields(await customer.api.get(`/accounts/${id}/statement?limit=101`))).toEqual(["limit"]);
  expect(errorFields(await customer.api.get(`/accounts/${id}/statement?limit=1&limit=2`))).toEqual(["limit"]);

  // Search by amount range and text, bounded like the rest.
  const ranged = await customer.api.get<{ entries: { amount: number }[] }>(`/accounts/${id}/statement?minAmount=200&maxAmount=300`);
  expect(ranged.body.entries.map((entry) => entry.amount)).toEqual([300, 200]);
  expect((await customer.api.get<{ entries: unknown[] }>(`/accounts/${id}/statement?q=rent`)).body.entries).toHaveLength(0);
  expect(errorFields(await customer.api.get(`/accounts/${id}/statement?q=${"x".repeat(101)}&minAmount=1e3`))).toEqual(["minAmount", "q"]);

  // The month's statement as PDF, for this customer only.
  const month = today.slice(0, 7);
  const pdf = await customer.api.get(`/accounts/${id}/statements/${month}.pdf`);
  expect(pdf.status).toBe(200);
  expect(pdf.headers["content-type"]).toBe("application/pdf");
  expect(pdf.text.startsWith("%PDF-")).toBe(true);
  expectProblem(await customer.api.get(`/accounts/${id}/statements/2026-13.pdf`), 422, "VALIDATION_FAILED");
  const other = await newCustomer(request, "Otto Other");
  expectProblem(await other.api.get(`/accounts/${id}/statements/${month}.pdf`), 404, "ACCOUNT_NOT_FOUND");
});
