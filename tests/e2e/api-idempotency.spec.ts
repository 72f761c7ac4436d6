import { randomUUID } from "node:crypto";

import { expect, test } from "@playwright/test";

import { account, deposit, expectProblem, newCustomer, openAccount } from "./support/api";

test("50 concurrent deposits with one Idempotency-Key: one is applied, the other 49 wait for it and replay its answer; another amount then gets 422", async ({
  request,
}) => {
  const customer = await newCustomer(request, "Concurrent Connie");
  const { id } = await openAccount(customer.api, "EUR");
  const key = randomUUID();
  const responses = await Promise.all(Array.from({ length: 50 }, () => customer.api.post(`/accounts/${id}/deposits`, { amount: 1_234 }, { key })));

  const statuses = responses.map((response) => response.status);
  expect(statuses, statuses.join(",")).toEqual(Array(50).fill(201));
  const created = responses;
  expect(new Set(created.map((response) => response.text)).size).toBe(1);
  expect(created.filter((response) => response.headers["idempotent-replayed"] !== "true")).toHaveLength(1);

  expect(await account(customer.api, id)).toMatchObject({ balance: 1_234, version: 2 });
  const statement = await customer.api.get<{ entries: unknown[] }>(`/accounts/${id}/statement`);
  expect(statement.body.entries).toHaveLength(1);

  const replay = await customer.api.post(`/accounts/${id}/deposits`, { amount: "1234" }, { key });
  expect(replay.status).toBe(201);
  expect(replay.text).toBe(created[0]?.text);
  expectProblem(await customer.api.post(`/accounts/${id}/deposits`, { amount: 1_235 }, { key }), 422, "IDEMPOTENCY_KEY_REUSED");
  expectProblem(await customer.api.post(`/accounts/${id}/withdrawals`, { amount: 1_234 }, { key }), 422, "IDEMPOTENCY_KEY_REUSED");
  expect(await account(customer.api, id)).toMatchObject({ balance: 1_234, version: 2 });
});

test("every money-moving POST needs a valid Idempotency-Key (400), and a refused command is replayed too, recorded once", async ({ request }) => {
  const customer = await newCustomer(request, "Keyless Kim");
  const from = await openAccount(customer.api, "EUR");
  const to = await openAccount(customer.api, "EUR");
  await deposit(customer.api, from.id, 500);
  const routes: [string, Record<string, unknown>][] = [
    [`/accounts/${from.id}/deposits`, { amount: 100 }],
    [`/accounts/${from.id}/withdrawals`, { amount: 100 }],
    ["/transfers", { fromAccountId: from.id, toAccountNumber: to.number, amount: 100 }],
  ];
  for (const [path, body] of routes) {
    expectProblem(await customer.api.post(path, body), 400, "IDEMPOTENCY_KEY_MISSING");
    for (const key of ["has space", "x".repeat(256), "tab\there"]) {
      const response = await customer.api.post(path, body, { headers: { "idempotency-key": key } });
      expectProblem(response, 400, "IDEMPOTENCY_KEY_INVALID");
    }
    expect((await customer.api.post(path, body, { headers: { "idempotency-key": "" } })).status).toBe(400);
  }
  expect(await account(customer.api, from.id)).toMatchObject({ balance: 500, version: 2 });

  const key = randomUUID();
  const refused = await customer.api.post(`/accounts/${from.id}/withdrawals`, { amount: 600 }, { key });
  expectProblem(refused, 422, "INSUFFICIENT_FUNDS");
  const again = await customer.api.post(`/accounts/${from.id}/withdrawals`, { amount: 600 }, { key });
  expect(again.status).toBe(422);
  expect(again.headers["idempotent-replayed"]).toBe("true");
  expect(again.text).toBe(refused.text);
  expect(await account(customer.api, from.id)).toMatchObject({ balance: 500, version: 3 });
});

test("a retried transfer with the same key is the same transfer; keys belong to their user", async ({ request }) => {
  const customer = await newCustomer(request, "Retry Rob");
  const from = await openAccount(customer.api, "EUR");
  const to = await openAccount(customer.api, "EUR");
  await deposit(customer.api, from.id, 1_000);
  const key = randomUUID();
  const body = { fromAccountId: from.id, toAccountNumber: to.number, amount: 250, reference: "Once" };
  const first = await customer.api.post<{ transfer: { id: string } }>("/transfers", body, { key });
  const second = await customer.api.post<{ transfer: { id: string } }>("/transfers", body, { key });
  expect(first.status).toBe(202);
  expect(second.status).toBe(202);
  expect(second.text).toBe(first.text);
  expect((await customer.api.get<{ transfers: unknown[] }>("/transfers")).body.transfers).toHaveLength(1);
  // The transfer runs on after its answer: once, whatever the retry did.
  await expect.poll(async () => (await account(customer.api, from.id)).balance).toBe(750);
  expectProblem(await customer.api.post("/transfers", { ...body, reference: "Twice" }, { key }), 422, "IDEMPOTENCY_KEY_REUSED");

  // Another customer using the same key string gets their own operation.
  const other = await newCustomer(request, "Other Olly");
  const theirs = await openAccount(other.api, "EUR");
  const own = await other.api.post(`/accounts/${theirs.id}/deposits`, { amount: 250 }, { key });
  expect(own.status).toBe(201);
  expect(own.headers["idempotent-replayed"]).toBeUndefined();
});
