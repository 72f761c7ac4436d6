import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { closeAccount, freezeAccount } from "@/lib/commands/accounts";
import { receiveInboundPayment, releaseHeldInboundPayment, returnHeldInboundPayment } from "@/lib/commands/inbound-payments";
import { addSanctionsEntry } from "@/lib/commands/transfers";
import { rowsOf } from "@/lib/db/client";
import { DomainError, ValidationError } from "@/lib/domain/shared/errors";
import { advanceInboundPayment, resumePendingInboundPayments } from "@/lib/process-managers/inbound-payments";
import { verifyProjections } from "@/lib/projections/rebuild";

import { customerWithAccount } from "../support/bank";
import { admin, context, meta } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";
import { accountBalance } from "../support/queries";

const scheme = { id: "scheme-test", role: "scheme" as const };

describe.each(backends)("inbound payments on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  const ctx = () => context(t.db);
  async function numberOf(accountId: string) {
    const rows = rowsOf<{ number: string }>(await t.db.execute(sql`select number from account_summary where account_id = ${accountId}`));
    return rows[0]!.number;
  }
  async function credits(accountId: string) {
    const rows = rowsOf<{ n: string }>(
      await t.db.execute(sql`select count(*)::text as n from events where stream_id = ${`account-${accountId}`} and event_type = 'TransferCredited'`),
    );
    return Number(rows[0]!.n);
  }
  async function status(paymentId: string) {
    const rows = rowsOf<{ status: string; return_code: string | null }>(
      await t.db.execute(sql`select status, return_code from inbound_payments_view where payment_id = ${paymentId}`),
    );
    return rows[0];
  }
  const payment = (accountNumber: string, overrides: Record<string, unknown> = {}) => ({
    schemePaymentId: `SCH-${Math.random().toString(36).slice(2, 10)}`,
    accountNumber,
    amount: 12_345,
    currency: "EUR",
    debtorName: "Outside Sender",
    debtorAccount: "DE89370400440532013000",
    reference: "Invoice 42",
    ...overrides,
  });
  async function receiveAndCredit(input: ReturnType<typeof payment>) {
    const result = await receiveInboundPayment(ctx(), input, meta({ actor: scheme }));
    await advanceInboundPayment(ctx(), result.paymentId);
    return result;
  }

  it("credits an inbound payment once, however often the scheme sends the same payment id", async () => {
    const dana = await customerWithAccount(t.db, { name: "Dana Inbound" });
    const input = payment(await numberOf(dana.accountId));
    const first = await receiveAndCredit(input);
    const second = await receiveAndCredit(input);
    const [third, fourth] = await Promise.all([receiveAndCredit(input), receiveAndCredit(input)]);
    expect(new Set([first.paymentId, second.paymentId, third.paymentId, fourth.paymentId]).size).toBe(1);
    expect(await accountBalance(t.db, dana.accountId)).toBe(12_345n);
    expect(await credits(dana.accountId)).toBe(1);
    expect(await status(first.paymentId)).toEqual({ status: "credited", return_code: null });
    const statement = rowsOf<{ kind: string; counterparty: string; reference: string }>(
      await t.db.execute(
        sql`select kind, counterparty, reference from statement_entries where account_id = ${dana.accountId} and kind = 'transfer_in'`,
      ),
    );
    expect(statement).toEqual([{ kind: "transfer_in", counterparty: expect.stringContaining("Outside Sender"), reference: "Invoice 42" }]);
  });

  it("refuses the same scheme payment id for a different payment, and changes nothing", async () => {
    const eli = await customerWithAccount(t.db, { name: "Eli Reused" });
    const input = payment(await numberOf(eli.accountId));
    await receiveAndCredit(input);
    await expect(receiveInboundPayment(ctx(), { ...input, amount: 99_999 }, meta({ actor: scheme }))).rejects.toMatchObject({
      code: "SCHEME_PAYMENT_ID_REUSED",
    });
    expect(await accountBalance(t.db, eli.accountId)).toBe(12_345n);
  });

  it("holds a payment from a sanctioned name for an admin, who releases it: then it is credited", async () => {
    await addSanctionsEntry(ctx(), { name: "Blocked Trading", reason: "test list" }, meta({ actor: admin }));
    const fay = await customerWithAccount(t.db, { name: "Fay Held" });
    const { paymentId } = await receiveAndCredit(payment(await numberOf(fay.accountId), { debtorName: "Blocked Trading Ltd" }));
    expect((await status(paymentId))?.status).toBe("held");
    expect(await accountBalance(t.db, fay.accountId)).toBe(0n);
    // Nothing moves while it is held, whoever drives it.
    await resumePendingInboundPayments(ctx(), { olderThanSeconds: 0 });
    expect(await accountBalance(t.db, fay.accountId)).toBe(0n);
    await releaseHeldInboundPayment(ctx(), { paymentId, reason: "Different company" }, meta({ actor: admin }));
    await advanceInboundPayment(ctx(), paymentId);
    expect((await status(paymentId))?.status).toBe("credited");
    expect(await accountBalance(t.db, fay.accountId)).toBe(12_345n);
    await expect(releaseHeldInboundPayment(ctx(), { paymentId, reason: "again" }, meta({ actor: admin }))).rejects.toBeInstanceOf(DomainError);
  });

  it("holds a payment whose reference names a sanctioned party; the admin returns it and nothing is credited", async () => {
    await addSanctionsEntry(ctx(), { name: "Crimson Ventures", reason: "test list" }, meta({ actor: admin }));
    const gus = await customerWithAccount(t.db, { name: "Gus Returned" });
    const { paymentId } = await receiveAndCredit(payment(await numberOf(gus.accountId), { reference: "for crimson ventures" }));
    expect((await status(paymentId))?.status).toBe("held");
    await returnHeldInboundPayment(ctx(), { paymentId, reason: "Confirmed match" }, meta({ actor: admin }));
    await advanceInboundPayment(ctx(), paymentId);
    expect(await status(paymentId)).toEqual({ status: "returned", return_code: "REJECTED_IN_REVIEW" });
    expect(await accountBalance(t.db, gus.accountId)).toBe(0n);
    expect(await credits(gus.accountId)).toBe(0);
  });

  it("returns a payment to an unknown account, a frozen one, a closed one and one in another currency", async () => {
    const unknown = await receiveAndCredit(payment("LL00 0000 0000"));
    expect(await status(unknown.paymentId)).toEqual({ status: "returned", return_code: "ACCOUNT_UNKNOWN" });
    const garbage = await receiveAndCredit(payment("not an account"));
    expect(await status(garbage.paymentId)).toEqual({ status: "returned", return_code: "ACCOUNT_UNKNOWN" });

    const frozen = await customerWithAccount(t.db, { name: "Hal Frozen" });
    await freezeAccount(ctx(), { accountId: frozen.accountId, category: "compliance_review", reason: "review" }, meta({ actor: admin }));
    const toFrozen = await receiveAndCredit(payment(await numberOf(frozen.accountId)));
    expect(await status(toFrozen.paymentId)).toEqual({ status: "returned", return_code: "ACCOUNT_FROZEN" });
    expect(await accountBalance(t.db, frozen.accountId)).toBe(0n);

    const closed = await customerWithAccount(t.db, { name: "Ivy Closed" });
    await closeAccount(ctx(), { accountId: closed.accountId, reason: "moving away" }, meta({ actor: closed.actor.actor }));
    const toClosed = await receiveAndCredit(payment(await numberOf(closed.accountId)));
    expect(await status(toClosed.paymentId)).toEqual({ status: "returned", return_code: "ACCOUNT_CLOSED" });

    const dollars = await customerWithAccount(t.db, { name: "Jo Dollars", currency: "USD" });
    const toDollars = await receiveAndCredit(payment(await numberOf(dollars.accountId)));
    expect(await status(toDollars.paymentId)).toEqual({ status: "returned", return_code: "CURRENCY_MISMATCH" });
  });

  it("finishes a payment whose credit committed before a crash, crediting once", async () => {
    const kim = await customerWithAccount(t.db, { name: "Kim Crash" });
    const { paymentId } = await receiveInboundPayment(ctx(), payment(await numberOf(kim.accountId)), meta({ actor: scheme }));
    await expect(
      advanceInboundPayment(ctx(), paymentId, () => {
        throw new Error("crash after the credit");
      }),
    ).rejects.toThrow("crash");
    expect((await status(paymentId))?.status).toBe("pending");
    expect(await resumePendingInboundPayments(ctx(), { olderThanSeconds: 0 })).toBeGreaterThanOrEqual(1);
    expect((await status(paymentId))?.status).toBe("credited");
    expect(await credits(kim.accountId)).toBe(1);
    expect(await accountBalance(t.db, kim.accountId)).toBe(12_345n);
  });

  it("refuses bad input with every field named and records nothing", async () => {
    const before = rowsOf<{ n: string }>(await t.db.execute(sql`select count(*)::text as n from events`))[0]!.n;
    const error = await receiveInboundPayment(
      ctx(),
      { schemePaymentId: "x y;drop", accountNumber: "", amount: -5, currency: "XXX", debtorName: "a".repeat(141), debtorAccount: "" },
      meta({ actor: scheme }),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect(Object.keys((error as ValidationError).fieldErrors).sort()).toEqual([
      "accountNumber",
      "amount",
      "currency",
      "debtorAccount",
      "debtorName",
      "schemePaymentId",
    ]);
    expect(rowsOf<{ n: string }>(await t.db.execute(sql`select count(*)::text as n from events`))[0]!.n).toBe(before);
  });

  it("keeps the projections equal to a replay of the events", async () => {
    expect((await verifyProjections(t.db)).differences).toEqual([]);
  });
});
