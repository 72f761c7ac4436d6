import { randomUUID } from "node:crypto";

import { expect, test } from "@playwright/test";

import { account, client, DEMO_ADMIN, deposit, errorFields, expectProblem, MISSING_ID, newCustomer, openAccount, tokenFor } from "./support/api";

type AuditEntry = {
  globalPosition: number;
  type: string;
  actorId: string;
  accountId: string | null;
  outcome: string;
  reason: string | null;
  summary: string;
  recordedAt: string;
};

test("an admin freezes and unfreezes with a reason; freezing twice or unfreezing an active account is refused and recorded", async ({ request }) => {
  const customer = await newCustomer(request, "Fred Freeze");
  const { id } = await openAccount(customer.api, "CHF");
  const admin = client(request, await tokenFor(request, DEMO_ADMIN));

  const frozen = await admin.post<{ account: { status: string }; event: { type: string; data: Record<string, unknown> } }>(
    `/admin/accounts/${id}/freeze`,
    { reason: "Card reported stolen" },
  );
  expect(frozen.status).toBe(200);
  expect(frozen.body).toMatchObject({
    account: { id, status: "frozen" },
    event: { type: "AccountFrozen", data: { category: "other", reason: "Card reported stolen" } },
  });
  const twice = await admin.post(`/admin/accounts/${id}/freeze`, { reason: "Again", category: "legal_order" });
  expectProblem(twice, 422, "ALREADY_FROZEN");
  expect(twice.body.event).toMatchObject({ type: "AccountCommandRejected", data: { code: "ALREADY_FROZEN" } });

  const unfrozen = await admin.post(`/admin/accounts/${id}/unfreeze`, { reason: "Card found" });
  expect(unfrozen.body).toMatchObject({ account: { status: "active" }, event: { type: "AccountUnfrozen" } });
  expectProblem(await admin.post(`/admin/accounts/${id}/unfreeze`, { reason: "Again" }), 422, "NOT_FROZEN");

  const invalid = await admin.post(`/admin/accounts/${id}/freeze`, { category: "because", note: "x" });
  expectProblem(invalid, 422, "VALIDATION_FAILED");
  expect(errorFields(invalid)).toEqual(["category", "note", "reason"]);
  expect(errorFields(await admin.post(`/admin/accounts/${id}/unfreeze`, {}))).toEqual(["reason"]);
  for (const path of ["freeze", "unfreeze"])
    expectProblem(await admin.post(`/admin/accounts/${MISSING_ID}/${path}`, { reason: "x" }), 404, "ACCOUNT_NOT_FOUND");

  // The customer sees the state, not the admin's note; four events after the opening.
  expect(await account(customer.api, id)).toMatchObject({ status: "active", version: 5 });
});

test("an account's stored events page oldest first; the audit trail filters by actor, account, type and time, newest first by keyset", async ({
  request,
}) => {
  const customer = await newCustomer(request, "Audrey Audit");
  const { id } = await openAccount(customer.api, "EUR");
  for (const amount of [100, 200, 300]) await deposit(customer.api, id, amount);
  await customer.api.post(`/accounts/${id}/withdrawals`, { amount: 10_000 }, { key: randomUUID() });
  const adminToken = await tokenFor(request, DEMO_ADMIN);
  const admin = client(request, adminToken);

  const page1 = await admin.get<{
    events: { streamPosition: number; type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }[];
    nextCursor: string;
  }>(`/admin/accounts/${id}/events?limit=3`);
  expect(page1.status).toBe(200);
  expect(page1.body.events.map((e) => e.type)).toEqual(["AccountOpened", "MoneyDeposited", "MoneyDeposited"]);
  expect(page1.body.events[1]).toMatchObject({
    schemaVersion: 1,
    data: { amount: "100" },
    metadata: { actorId: customer.id, actorRole: "customer", origin: "api" },
  });
  const page2 = await admin.get<{ events: { streamPosition: number; type: string }[]; nextCursor: string | null }>(
    `/admin/accounts/${id}/events?limit=3&cursor=${page1.body.nextCursor}`,
  );
  expect(page2.body.events.map((e) => [e.streamPosition, e.type])).toEqual([
    [4, "MoneyDeposited"],
    [5, "WithdrawalRejected"],
  ]);
  expect(page2.body.nextCursor).toBeNull();
  expectProblem(await admin.get(`/admin/accounts/${MISSING_ID}/events`), 404, "ACCOUNT_NOT_FOUND");
  expect(errorFields(await admin.get(`/admin/accounts/${id}/events?limit=9999&cursor=-1`))).toEqual(["cursor", "limit"]);

  const byAccount = await admin.get<{ entries: AuditEntry[]; nextCursor: string | null }>(`/admin/audit?accountId=${id}&limit=2`);
  expect(byAccount.body.entries.map((e) => e.type)).toEqual(["WithdrawalRejected", "MoneyDeposited"]);
  expect(byAccount.body.entries[0]).toMatchObject({ outcome: "rejected", actorId: customer.id, accountId: id });
  const rest = await admin.get<{ entries: AuditEntry[]; nextCursor: string | null }>(
    `/admin/audit?accountId=${id}&limit=10&cursor=${byAccount.body.nextCursor}`,
  );
  expect(rest.body.entries.map((e) => e.type)).toEqual(["MoneyDeposited", "MoneyDeposited", "AccountOpened"]);
  expect(rest.body.entries[0]!.globalPosition).toBeLessThan(byAccount.body.entries[1]!.globalPosition);

  const rejected = await admin.get<{ entries: AuditEntry[] }>(`/admin/audit?actor=${customer.id}&type=WithdrawalRejected`);
  expect(rejected.body.entries).toHaveLength(1);
  const at = rejected.body.entries[0]!.recordedAt;
  expect(
    (await admin.get<{ entries: AuditEntry[] }>(`/admin/audit?actor=${customer.id}&from=${encodeURIComponent(at)}`)).body.entries.map((e) => e.type),
  ).toEqual(["WithdrawalRejected"]);
  expect((await admin.get<{ entries: AuditEntry[] }>(`/admin/audit?actor=${customer.id}&to=2000-01-01`)).body.entries).toEqual([]);
  // The token this customer was given is in the trail too, without the token.
  const issued = await admin.get<{ entries: AuditEntry[] }>(`/admin/audit?actor=${customer.id}&type=ApiTokenIssued`);
  expect(issued.body.entries).toHaveLength(1);
  expect(issued.body.entries[0]!.summary).not.toContain(customer.token);

  const bad = await admin.get("/admin/audit?accountId=1&type=Money%20Deposited&from=monday&to=2026-02-30&cursor=x&limit=0&actor=");
  expectProblem(bad, 422, "VALIDATION_FAILED");
  expect(errorFields(bad)).toEqual(["accountId", "actor", "cursor", "from", "limit", "to", "type"]);
});

test("an admin rebuilds the projections; the read models come back the same", async ({ request }) => {
  const customer = await newCustomer(request, "Rae Rebuild");
  const { id } = await openAccount(customer.api, "SEK");
  await deposit(customer.api, id, 4_200);
  const before = await account(customer.api, id);
  const admin = client(request, await tokenFor(request, DEMO_ADMIN));

  const rebuilt = await admin.post<{ events: number; rows: Record<string, number>; elapsedMs: number }>("/admin/projections/rebuild");
  expect(rebuilt.status).toBe(200);
  expect(rebuilt.body.events).toBeGreaterThan(10);
  expect(Object.keys(rebuilt.body.rows).sort()).toEqual([
    "account_summary",
    "approvals_view",
    "audit_log",
    "inbound_payments_view",
    "sanctions_entries",
    "statement_entries",
    "transfers_view",
  ]);
  expect((await admin.post("/admin/projections/rebuild", {})).status).toBe(200);
  const extra = await admin.post("/admin/projections/rebuild", { tables: ["audit_log"] });
  expectProblem(extra, 422, "VALIDATION_FAILED");
  expect(errorFields(extra)).toEqual(["tables"]);

  expect(await account(customer.api, id)).toEqual(before);
});
