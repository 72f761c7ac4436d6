import { randomUUID } from "node:crypto";

import { expect, test } from "@playwright/test";

import { account, client, DEMO_ADMIN, deposit, errorFields, expectProblem, newCustomer, openAccount, tokenFor } from "./support/api";

type Transfer = {
  id: string;
  status: string;
  direction: string | null;
  amount: number;
  from: { accountId: string; number: string; name: string };
  to: { accountId: string; number: string; name: string };
  steps: { step: string }[];
  failure: { code: string; step: string } | null;
};

const TRANSFER_KEYS = [
  "amount",
  "currency",
  "direction",
  "external",
  "failure",
  "from",
  "id",
  "reference",
  "requestedAt",
  "status",
  "steps",
  "to",
  "updatedAt",
];

/** The transfer once its runner has taken it as far as it goes (completed, failed, or held for review). */
async function settled(api: ReturnType<typeof client>, id: string): Promise<Transfer> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { body } = await api.get<{ transfer: Transfer }>(`/transfers/${id}`);
    if (["completed", "failed", "held"].includes(body.transfer.status)) return body.transfer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`transfer ${id} did not settle`);
}

test("a transfer to another customer is accepted (202) as requested, completes on its own, and each party reads it with the other's name masked", async ({
  request,
}) => {
  const payer = await newCustomer(request, "Paula Payer");
  const payee = await newCustomer(request, "Peter Payee");
  const from = await openAccount(payer.api, "EUR");
  await deposit(payer.api, from.id, 10_000);
  const to = await openAccount(payee.api, "EUR");

  const sent = await payer.api.post<{ transfer: Transfer }>(
    "/transfers",
    {
      fromAccountId: from.id,
      toAccountNumber: `${to.number.slice(0, 4)} ${to.number.slice(4, 8)} ${to.number.slice(8)}`.toLowerCase(),
      amount: 2_500,
      reference: "Rent",
    },
    { key: randomUUID() },
  );
  expect(sent.status).toBe(202);
  expect(Object.keys(sent.body.transfer).sort()).toEqual(TRANSFER_KEYS);
  // The answer is the transfer as its request recorded it: the same bytes any retry of it gets.
  expect(sent.body.transfer).toMatchObject({ status: "requested", steps: [{ step: "requested" }] });
  expect(await settled(payer.api, sent.body.transfer.id)).toMatchObject({
    status: "completed",
    direction: "out",
    amount: 2_500,
    currency: "EUR",
    reference: "Rent",
    from: { accountId: from.id, number: from.number, name: "Paula Payer" },
    to: { accountId: to.id, number: to.number, name: "Pe*** Pa***" },
    failure: null,
  });
  expect((await settled(payer.api, sent.body.transfer.id)).steps.map((step) => step.step)).toEqual([
    "requested",
    "screened",
    "reserved",
    "credited",
    "completed",
  ]);
  expect(await account(payer.api, from.id)).toMatchObject({ balance: 7_500, reserved: 0 });
  expect(await account(payee.api, to.id)).toMatchObject({ balance: 2_500 });

  const seenByPayee = await payee.api.get<{ transfer: Transfer }>(`/transfers/${sent.body.transfer.id}`);
  expect(seenByPayee.body.transfer).toMatchObject({ direction: "in", from: { name: "Pa*** Pa***" }, to: { name: "Peter Payee" } });
  const statement = await payee.api.get<{ entries: { kind: string; transferId: string; counterparty: string }[] }>(`/accounts/${to.id}/statement`);
  expect(statement.body.entries[0]).toMatchObject({ kind: "transfer_in", transferId: sent.body.transfer.id });
});

test("transfers are listed newest first by account with a keyset cursor", async ({ request }) => {
  const customer = await newCustomer(request, "Lister Lee");
  const main = await openAccount(customer.api, "GBP");
  const savings = await openAccount(customer.api, "GBP");
  const other = await openAccount(customer.api, "GBP");
  await deposit(customer.api, main.id, 1_000);
  await deposit(customer.api, other.id, 1_000);
  const ids: string[] = [];
  for (const amount of [10, 20, 30]) {
    const sent = await customer.api.post<{ transfer: Transfer }>(
      "/transfers",
      { fromAccountId: main.id, toAccountNumber: savings.number, amount },
      { key: randomUUID() },
    );
    ids.push(sent.body.transfer.id);
    await settled(customer.api, sent.body.transfer.id);
  }
  const last = await customer.api.post<{ transfer: Transfer }>(
    "/transfers",
    { fromAccountId: other.id, toAccountNumber: savings.number, amount: 5 },
    { key: randomUUID() },
  );
  await settled(customer.api, last.body.transfer.id);

  const first = await customer.api.get<{ transfers: Transfer[]; nextCursor: string }>(`/transfers?accountId=${main.id}&limit=2`);
  expect(first.body.transfers.map((t) => t.id)).toEqual([ids[2], ids[1]]);
  expect(first.body.transfers[0]?.direction).toBe("own");
  const second = await customer.api.get<{ transfers: Transfer[]; nextCursor: string | null }>(
    `/transfers?accountId=${main.id}&limit=2&cursor=${first.body.nextCursor}`,
  );
  expect(second.body).toMatchObject({ transfers: [{ id: ids[0] }], nextCursor: null });
  expect((await customer.api.get<{ transfers: Transfer[] }>("/transfers")).body.transfers).toHaveLength(4);
  expect((await customer.api.get<{ transfers: Transfer[] }>(`/transfers?accountId=${savings.id}`)).body.transfers).toHaveLength(4);

  const bad = await customer.api.get("/transfers?accountId=xyz&limit=-1&cursor=%21%21&status=done");
  expectProblem(bad, 422, "VALIDATION_FAILED");
  expect(errorFields(bad)).toEqual(["accountId", "cursor", "limit", "status"]);
  expectProblem(await customer.api.get(`/transfers?cursor=${Buffer.from("garbage").toString("base64url")}`), 422, "VALIDATION_FAILED");
});

test("a transfer the reserve or the payee refuses ends failed with its code, and no money moves", async ({ request }) => {
  const payer = await newCustomer(request, "Short Sam");
  const from = await openAccount(payer.api, "EUR");
  await deposit(payer.api, from.id, 100);
  const payee = await newCustomer(request, "Frozen Fran");
  const to = await openAccount(payee.api, "EUR");

  const short = await payer.api.post<{ transfer: Transfer }>(
    "/transfers",
    { fromAccountId: from.id, toAccountNumber: to.number, amount: 101 },
    { key: randomUUID() },
  );
  expect(short.status).toBe(202);
  expect(await settled(payer.api, short.body.transfer.id)).toMatchObject({
    status: "failed",
    failure: { code: "INSUFFICIENT_FUNDS", step: "reserve" },
  });

  const admin = client(request, await tokenFor(request, DEMO_ADMIN));
  expect((await admin.post(`/admin/accounts/${to.id}/freeze`, { reason: "Fraud check", category: "suspected_fraud" })).status).toBe(200);
  const frozen = await payer.api.post<{ transfer: Transfer }>(
    "/transfers",
    { fromAccountId: from.id, toAccountNumber: to.number, amount: 50 },
    { key: randomUUID() },
  );
  expect(await settled(payer.api, frozen.body.transfer.id)).toMatchObject({
    status: "failed",
    failure: { code: "DESTINATION_FROZEN", step: "credit" },
  });

  await admin.post(`/admin/accounts/${from.id}/freeze`, { reason: "Fraud check" });
  const sourceFrozen = await payer.api.post<{ transfer: Transfer }>(
    "/transfers",
    { fromAccountId: from.id, toAccountNumber: to.number, amount: 50 },
    { key: randomUUID() },
  );
  expect(await settled(payer.api, sourceFrozen.body.transfer.id)).toMatchObject({
    status: "failed",
    failure: { code: "ACCOUNT_FROZEN", step: "reserve" },
  });

  expect(await account(payer.api, from.id)).toMatchObject({ balance: 100, reserved: 0, available: 100 });
  expect(await account(payee.api, to.id)).toMatchObject({ balance: 0 });
});

test("a transfer request lists every field's problem and records nothing", async ({ request }) => {
  const customer = await newCustomer(request, "Tina Typo");
  const eur = await openAccount(customer.api, "EUR");
  const usd = await openAccount(customer.api, "USD");
  await deposit(customer.api, eur.id, 1_000);
  const cases: [Record<string, unknown>, string, string[]][] = [
    [{}, "VALIDATION_FAILED", ["amount", "fromAccountId", "toAccountNumber"]],
    [{ fromAccountId: eur.id, toAccountNumber: "LL00 0000 0001", amount: 10 }, "VALIDATION_FAILED", ["toAccountNumber"]],
    [{ fromAccountId: eur.id, toAccountNumber: "not a number", amount: 10 }, "VALIDATION_FAILED", ["toAccountNumber"]],
    [{ fromAccountId: eur.id, toAccountNumber: "", amount: 10 }, "VALIDATION_FAILED", ["toAccountNumber"]],
    [{ fromAccountId: eur.id, toAccountNumber: eur.number, amount: 10 }, "VALIDATION_FAILED", ["toAccountNumber"]],
    [{ fromAccountId: eur.id, toAccountNumber: usd.number, amount: 10 }, "VALIDATION_FAILED", ["toAccountNumber"]],
    [{ fromAccountId: eur.id, toAccountNumber: usd.number, amount: 0 }, "VALIDATION_FAILED", ["amount"]],
    [{ fromAccountId: eur.id, toAccountNumber: usd.number, amount: 100_000_001 }, "AMOUNT_TOO_LARGE", ["amount"]],
    [{ fromAccountId: eur.id, toAccountId: usd.id, amount: 10 }, "VALIDATION_FAILED", ["toAccountId", "toAccountNumber"]],
    [
      { fromAccountId: "x", toAccountNumber: 7, amount: "ten", reference: "r".repeat(200) },
      "VALIDATION_FAILED",
      ["amount", "fromAccountId", "reference", "toAccountNumber"],
    ],
  ];
  for (const [body, code, fields] of cases) {
    const response = await customer.api.post("/transfers", body, { key: randomUUID() });
    expectProblem(response, 422, code);
    expect(errorFields(response), JSON.stringify(body)).toEqual(fields);
  }
  expect((await customer.api.get<{ transfers: unknown[] }>("/transfers")).body.transfers).toEqual([]);
  expect(await account(customer.api, eur.id)).toMatchObject({ balance: 1_000, version: 2 });
});

test("a transfer held by screening waits for an admin: release completes it, reject fails it, either only once", async ({ request }) => {
  const customer = await newCustomer(request, "Hal Held");
  const from = await openAccount(customer.api, "EUR");
  const to = await openAccount(customer.api, "EUR");
  await deposit(customer.api, from.id, 1_000);
  const send = (reference: string) =>
    customer.api.post<{ transfer: Transfer }>(
      "/transfers",
      { fromAccountId: from.id, toAccountNumber: to.number, amount: 100, reference },
      { key: randomUUID() },
    );
  const first = await send("Invoice from Globex Illicit Trading");
  const second = await send("Payment for Ivan Blacklistov");
  for (const held of [first, second]) expect(await settled(customer.api, held.body.transfer.id)).toMatchObject({ status: "held", failure: null });
  expect(JSON.stringify(first.body)).not.toContain("sanctions");

  const admin = client(request, await tokenFor(request, DEMO_ADMIN));
  const missingReason = await admin.post(`/admin/transfers/${first.body.transfer.id}/release`, { reason: " " });
  expectProblem(missingReason, 422, "VALIDATION_FAILED");
  expect(errorFields(missingReason)).toEqual(["reason"]);
  expectProblem(await admin.post(`/admin/transfers/${randomUUID()}/release`, { reason: "Checked" }), 404, "TRANSFER_NOT_FOUND");

  const released = await admin.post<{ transfer: Transfer }>(`/admin/transfers/${first.body.transfer.id}/release`, {
    reason: "A customer's supplier; checked",
  });
  expect(released.status).toBe(200);
  // Released: back in the queue (the API says "requested"), then it runs to the end on its own.
  expect(released.body.transfer).toMatchObject({ status: "requested", direction: null });
  expect(await settled(customer.api, first.body.transfer.id)).toMatchObject({ status: "completed" });
  expectProblem(await admin.post(`/admin/transfers/${first.body.transfer.id}/reject`, { reason: "Too late" }), 422, "TRANSFER_NOT_HELD");

  const rejected = await admin.post<{ transfer: Transfer }>(`/admin/transfers/${second.body.transfer.id}/reject`, { reason: "Matches the list" });
  expect(rejected.body.transfer).toMatchObject({ status: "failed", failure: { code: "REJECTED_IN_REVIEW", step: "screening" } });
  expectProblem(await admin.post(`/admin/transfers/${second.body.transfer.id}/release`, { reason: "Oops" }), 422, "TRANSFER_NOT_HELD");

  expect(await account(customer.api, from.id)).toMatchObject({ balance: 900, reserved: 0 });
  expect(await account(customer.api, to.id)).toMatchObject({ balance: 100 });
  expect((await customer.api.get<{ transfer: Transfer }>(`/transfers/${second.body.transfer.id}`)).body.transfer.status).toBe("failed");
});
