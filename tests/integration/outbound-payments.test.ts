import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { issueApiToken } from "@/lib/auth/api-tokens";
import { createScheme } from "@/lib/auth/schemes";
import { freezeAccount } from "@/lib/commands/accounts";
import { addSanctionsEntry, answerOutboundPayment, releaseHeldTransfer, requestTransfer } from "@/lib/commands/transfers";
import { rowsOf, type DatabaseHandle } from "@/lib/db/client";
import { ValidationError } from "@/lib/domain/shared/errors";
import { advanceTransfer, driveTransfer, runDueTransfers, type FaultPoint } from "@/lib/process-managers/transfer-runner";
import { verifyProjections } from "@/lib/projections/rebuild";

import { customerWithAccount } from "../support/bank";
import { admin, context, meta } from "../support/commands";
import { crashAt } from "../support/crash";
import { backends, type TestDatabase } from "../support/databases";
import { accountBalance } from "../support/queries";

// Payments to other banks: the customer's request, the scheme's outbox and answers (route handlers
// called in-process), and the account's reserve, capture and release legs underneath.
const outbox = await import("@/app/api/v1/scheme/outbound-payments/route");
const settleRoute = await import("@/app/api/v1/scheme/outbound-payments/[transferId]/settle/route");
const returnRoute = await import("@/app/api/v1/scheme/outbound-payments/[transferId]/return/route");
const transfersRoute = await import("@/app/api/v1/transfers/route");
const payeesRoute = await import("@/app/api/v1/payees/route");

const IBAN = "DE89 3704 0044 0532 0130 00";
const call = (token: string, body?: unknown, method = "POST", url = "http://localhost/api/v1/x") =>
  new Request(url, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const noParams = { params: Promise.resolve({}) };
const byId = (transferId: string) => ({ params: Promise.resolve({ transferId }) });

describe.each(backends)("outbound payments on $name", (backend) => {
  let t: TestDatabase;
  let schemeToken: string;
  beforeAll(async () => {
    t = await backend.create();
    const global = globalThis as { __ledgerlineDb?: { handle?: Promise<DatabaseHandle> } };
    (global.__ledgerlineDb ??= {}).handle = Promise.resolve(t.handle);
    schemeToken = (await createScheme(t.db, { name: "Outbound Scheme" })).token;
  });
  afterAll(() => t.drop());

  const ctx = () => context(t.db);
  const runner = () => ({ ctx: ctx(), runnerId: "test-runner" });

  async function summary(accountId: string) {
    return rowsOf<{ balance: string; reserved: string; available: string }>(
      await t.db.execute(sql`select balance::text, reserved::text, available::text from account_summary where account_id = ${accountId}`),
    )[0]!;
  }
  async function view(transferId: string) {
    return rowsOf<{ status: string; external: boolean; failure_code: string | null; failure_reason: string | null; to_number: string }>(
      await t.db.execute(sql`select status, external, failure_code, failure_reason, to_number from transfers_view where transfer_id = ${transferId}`),
    )[0]!;
  }
  async function legCount(accountId: string, type: string) {
    const rows = rowsOf<{ n: string }>(
      await t.db.execute(sql`select count(*)::text as n from events where stream_id = ${`account-${accountId}`} and event_type = ${type}`),
    );
    return Number(rows[0]!.n);
  }
  async function statement(accountId: string) {
    return rowsOf<{ kind: string; outcome: string; balance_change: string; counterparty: string | null; rejection_code: string | null }>(
      await t.db.execute(sql`select kind, outcome, balance_change::text, counterparty, rejection_code from statement_entries
                             where account_id = ${accountId} and kind like 'transfer%' order by stream_position`),
    );
  }
  async function pendingIds(): Promise<string[]> {
    const response = await outbox.GET(call(schemeToken, undefined, "GET", "http://localhost/api/v1/scheme/outbound-payments?limit=100"), noParams);
    expect(response.status).toBe(200);
    return ((await response.json()).payments as { id: string }[]).map((payment) => payment.id);
  }
  const pay = async (payer: Awaited<ReturnType<typeof customerWithAccount>>, amount: number, extra: Record<string, unknown> = {}) =>
    requestTransfer(
      ctx(),
      { fromAccountId: payer.accountId, toIban: IBAN, payeeName: "Erika Mustermann", amount, reference: "Invoice 12", ...extra },
      meta(payer.actor),
    );

  it("reserves, sends to the scheme's outbox, and on settle the money leaves once, however often the scheme settles", async () => {
    const payer = await customerWithAccount(t.db, { name: "Olga Outbound", balance: 10_000 });
    const { transferId } = await pay(payer, 2_500);
    expect((await driveTransfer(runner(), transferId))?.status).toBe("Sent");
    expect(await view(transferId)).toMatchObject({ status: "sent", external: true, to_number: "DE89370400440532013000" });
    expect(await summary(payer.accountId)).toEqual({ balance: "10000", reserved: "2500", available: "7500" });
    expect(await pendingIds()).toContain(transferId);

    const first = await settleRoute.POST(call(schemeToken, { schemeReference: "E2E-77" }), byId(transferId));
    expect(first.status).toBe(200);
    expect((await first.json()).payment).toMatchObject({
      id: transferId,
      status: "settled",
      schemeReference: "E2E-77",
      creditor: { iban: "DE89370400440532013000" },
    });
    const again = await settleRoute.POST(call(schemeToken, { schemeReference: "E2E-77" }), byId(transferId));
    expect(again.status).toBe(200);
    expect((await again.json()).payment.status).toBe("settled");

    expect((await view(transferId)).status).toBe("completed");
    expect(await summary(payer.accountId)).toEqual({ balance: "7500", reserved: "0", available: "7500" });
    expect(await legCount(payer.accountId, "ReservationCaptured")).toBe(1);
    expect(await statement(payer.accountId)).toEqual([
      {
        kind: "transfer_out",
        outcome: "posted",
        balance_change: "-2500",
        counterparty: expect.stringContaining("Erika Mustermann"),
        rejection_code: null,
      },
    ]);
    expect(await pendingIds()).not.toContain(transferId);
    // The other answer after the first: refused, nothing changes.
    const contrary = await returnRoute.POST(call(schemeToken, { reason: "too late" }), byId(transferId));
    expect(contrary.status).toBe(409);
    expect(await contrary.json()).toMatchObject({ code: "OUTBOUND_PAYMENT_ANSWERED" });
    expect(await accountBalance(t.db, payer.accountId)).toBe(7_500n);
  });

  it("on return releases the reservation exactly once, fails with the scheme's reason and says so on the statement", async () => {
    const payer = await customerWithAccount(t.db, { name: "Rita Returned", balance: 6_000 });
    const { transferId } = await pay(payer, 4_000);
    await driveTransfer(runner(), transferId);
    const first = await returnRoute.POST(call(schemeToken, { reason: "AC04 account closed" }), byId(transferId));
    expect(first.status).toBe(200);
    expect((await first.json()).payment).toMatchObject({ status: "returned", returnReason: expect.stringContaining("AC04 account closed") });
    const again = await returnRoute.POST(call(schemeToken, { reason: "AC04 account closed" }), byId(transferId));
    expect(again.status).toBe(200);
    await runDueTransfers(runner());

    expect(await view(transferId)).toMatchObject({
      status: "failed",
      failure_code: "RETURNED_BY_SCHEME",
      failure_reason: expect.stringContaining("AC04"),
    });
    expect(await summary(payer.accountId)).toEqual({ balance: "6000", reserved: "0", available: "6000" });
    expect(await legCount(payer.accountId, "ReservationReleased")).toBe(1);
    expect(await statement(payer.accountId)).toEqual([
      {
        kind: "transfer_out",
        outcome: "rejected",
        balance_change: "0",
        counterparty: expect.stringContaining("Erika Mustermann"),
        rejection_code: "RETURNED_BY_SCHEME",
      },
    ]);
    const settleLate = await settleRoute.POST(call(schemeToken, {}), byId(transferId));
    expect(settleLate.status).toBe(409);
    expect(await accountBalance(t.db, payer.accountId)).toBe(6_000n);
  });

  const points: FaultPoint[] = ["after-step:screen", "after-leg:reserve", "after-step:reserve", "after-step:submit"];
  it.each(points)("a runner that died %s is resumed: the payment reaches the scheme once, with one reservation", async (point) => {
    const payer = await customerWithAccount(t.db, { balance: 3_000 });
    const { transferId } = await pay(payer, 1_000);
    await crashAt(runner(), transferId, point);
    await runDueTransfers({ ctx: ctx(), runnerId: "fresh-runner" });
    expect((await view(transferId)).status).toBe("sent");
    expect(await legCount(payer.accountId, "FundsReserved")).toBe(1);
    expect(await summary(payer.accountId)).toMatchObject({ reserved: "1000" });
  });

  it.each(["settle", "return"] as const)(
    "a crash after the scheme's %s but before the account's leg is resumed by the background runner",
    async (answer) => {
      const payer = await customerWithAccount(t.db, { balance: 3_000 });
      const { transferId } = await pay(payer, 1_000);
      await driveTransfer(runner(), transferId);
      // The answer is recorded, then the process dies before taking the capture or release.
      await answerOutboundPayment(
        ctx(),
        answer,
        answer === "settle" ? { transferId } : { transferId, reason: "MS03 not specified" },
        meta({ actor: { id: "scheme-x", role: "scheme" } }),
      );
      const leg = answer === "settle" ? "capture" : "release";
      await expect(
        advanceTransfer(
          {
            ...runner(),
            fault: (at) => {
              if (at === `after-leg:${leg}`) throw new Error("crash");
            },
          },
          transferId,
        ),
      ).rejects.toThrow("crash");
      await runDueTransfers({ ctx: ctx(), runnerId: "fresh-runner" });
      expect((await view(transferId)).status).toBe(answer === "settle" ? "completed" : "failed");
      expect(await accountBalance(t.db, payer.accountId)).toBe(answer === "settle" ? 2_000n : 3_000n);
      expect(await legCount(payer.accountId, answer === "settle" ? "ReservationCaptured" : "ReservationReleased")).toBe(1);
      expect(await summary(payer.accountId)).toMatchObject({ reserved: "0" });
    },
  );

  it("refuses insufficient funds and a frozen account with a clear reason, and never sends them", async () => {
    const poor = await customerWithAccount(t.db, { balance: 500 });
    const short = await pay(poor, 501);
    expect((await driveTransfer(runner(), short.transferId))?.status).toBe("Failed");
    expect(await view(short.transferId)).toMatchObject({
      status: "failed",
      failure_code: "INSUFFICIENT_FUNDS",
      failure_reason: "Not enough available money in the source account.",
    });

    const frozen = await customerWithAccount(t.db, { balance: 5_000 });
    await freezeAccount(ctx(), { accountId: frozen.accountId, category: "legal_order", reason: "court order" }, meta({ actor: admin }));
    const cold = await pay(frozen, 100);
    expect((await driveTransfer(runner(), cold.transferId))?.status).toBe("Failed");
    expect(await view(cold.transferId)).toMatchObject({ failure_code: "ACCOUNT_FROZEN", failure_reason: "The source account is frozen." });
    const pending = await pendingIds();
    expect(pending).not.toContain(short.transferId);
    expect(pending).not.toContain(cold.transferId);
    expect(await summary(poor.accountId)).toMatchObject({ balance: "500", reserved: "0" });
  });

  it("refuses a bad IBAN, a missing payee name and two destinations before anything is recorded", async () => {
    const payer = await customerWithAccount(t.db, { balance: 1_000 });
    const before = rowsOf<{ n: string }>(await t.db.execute(sql`select count(*)::text as n from events where stream_type = 'transfer'`))[0]!.n;
    // One digit changed: the check digits no longer hold.
    await expect(pay(payer, 100, { toIban: "DE89 3704 0044 0532 0130 01" })).rejects.toMatchObject({
      fieldErrors: { toIban: [expect.stringContaining("not a valid IBAN")] },
    });
    await expect(pay(payer, 100, { toIban: "LL00 0000 0000" })).rejects.toBeInstanceOf(ValidationError);
    await expect(pay(payer, 100, { toIban: "x".repeat(500) })).rejects.toBeInstanceOf(ValidationError);
    await expect(pay(payer, 100, { payeeName: "" })).rejects.toMatchObject({ fieldErrors: { payeeName: [expect.stringContaining("name")] } });
    await expect(pay(payer, 100, { payeeName: "n".repeat(71) })).rejects.toBeInstanceOf(ValidationError);
    await expect(pay(payer, 100, { toAccountId: payer.accountId })).rejects.toMatchObject({
      fieldErrors: { toIban: [expect.stringContaining("one destination")] },
    });
    const after = rowsOf<{ n: string }>(await t.db.execute(sql`select count(*)::text as n from events where stream_type = 'transfer'`))[0]!.n;
    expect(after).toBe(before);
  });

  it("holds a payment to a sanctioned name for an admin: nothing is reserved or sent until it is released", async () => {
    await addSanctionsEntry(ctx(), { name: "Blocked Trading", reason: "test list" }, meta({ actor: admin }));
    const payer = await customerWithAccount(t.db, { balance: 2_000 });
    const { transferId } = await pay(payer, 700, { payeeName: "Blocked Trading GmbH" });
    expect((await driveTransfer(runner(), transferId))?.status).toBe("Held");
    expect(await pendingIds()).not.toContain(transferId);
    expect(await summary(payer.accountId)).toMatchObject({ reserved: "0" });
    await releaseHeldTransfer(ctx(), { transferId, reason: "different company" }, meta({ actor: admin }));
    await runDueTransfers(runner());
    expect(await pendingIds()).toContain(transferId);
  });

  it("takes a payment to another bank over the customer API (202, external), and keeps scheme operations from customers", async () => {
    const payer = await customerWithAccount(t.db, { name: "Api Outbound", balance: 9_000 });
    const token = (await issueApiToken(t.db, payer.user, { name: "out", lifetimeDays: 1 }, { via: "api" })).token;
    const request = new Request("http://localhost/api/v1/transfers", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "idempotency-key": randomUUID() },
      body: JSON.stringify({ fromAccountId: payer.accountId, toIban: IBAN, payeeName: "Erika Mustermann", amount: "1200", reference: "Rent" }),
    });
    const answer = await transfersRoute.POST(request, noParams);
    expect(answer.status).toBe(202);
    const transfer = (await answer.json()).transfer;
    expect(transfer).toMatchObject({ external: true, to: { number: "DE89370400440532013000", name: "Erika Mustermann" } });
    await driveTransfer(runner(), transfer.id);

    const forged = await settleRoute.POST(call(token, {}), byId(transfer.id));
    expect(forged.status).toBe(403);
    const list = await outbox.GET(call(token, undefined, "GET"), noParams);
    expect(list.status).toBe(403);
    expect(await accountBalance(t.db, payer.accountId)).toBe(9_000n);
    const bad = await transfersRoute.POST(
      new Request("http://localhost/api/v1/transfers", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "idempotency-key": randomUUID() },
        body: JSON.stringify({ fromAccountId: payer.accountId, toIban: "GB00 WEST 1234 5698 7654 32", payeeName: "X", amount: "1" }),
      }),
      noParams,
    );
    expect(bad.status).toBe(422);
    expect((await bad.json()).errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: "toIban" })]));
    const unknown = await settleRoute.POST(call(schemeToken, {}), byId(randomUUID()));
    expect(unknown.status).toBe(404);

    // A payee at another bank over the API: the IBAN checked, the holder's name required and kept as given.
    const payee = (body: unknown) =>
      payeesRoute.POST(
        new Request("http://localhost/api/v1/payees", {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "idempotency-key": randomUUID() },
          body: JSON.stringify(body),
        }),
        noParams,
      );
    const saved = await payee({ name: "Piano teacher", iban: IBAN, holderName: "Erika Mustermann" });
    expect(saved.status).toBe(201);
    expect((await saved.json()).payee).toMatchObject({ accountNumber: "DE89 3704 0044 0532 0130 00", holderName: "Erika Mustermann" });
    const nameless = await payee({ name: "Nameless", iban: "GB82 WEST 1234 5698 7654 32" });
    expect(nameless.status).toBe(422);
    expect((await nameless.json()).errors).toEqual([expect.objectContaining({ field: "holderName" })]);
  });

  it("keeps every read model equal to a replay of the events", async () => {
    expect((await verifyProjections(t.db)).differences).toEqual([]);
  });
});
