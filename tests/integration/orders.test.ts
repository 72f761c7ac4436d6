import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { freezeAccount, openAccount } from "@/lib/commands/accounts";
import { cancelOrder, createOrder, editOrder, pauseOrder, resumeOrder } from "@/lib/commands/orders";
import { addPayee, confirmPayee, deletePayee, MAX_PAYEES, renamePayee } from "@/lib/commands/payees";
import { setTimeZone } from "@/lib/commands/profile";
import { rowsOf, type DatabaseHandle } from "@/lib/db/client";
import { ValidationError } from "@/lib/domain/shared/errors";
import { runDueOrders } from "@/lib/process-managers/order-runner";
import { runDueTransfers } from "@/lib/process-managers/transfer-runner";
import { findOrderFor, orderPaymentsFor } from "@/lib/read-models/orders";
import { readPayeePage } from "@/lib/read-models/payees";

import { customerWithAccount } from "../support/bank";
import { context, meta, newCommandId } from "../support/commands";
import { backends, postgresBackends, type TestDatabase } from "../support/databases";
import { accountBalance } from "../support/queries";

// The settings are read once per process, maybe by an earlier test: the cron route's secret is set first.
vi.hoisted(() => {
  process.env.CRON_SECRET ??= "a-cron-secret-for-tests";
});

const DAY = 86_400_000;
const isoDate = (at: Date) => at.toISOString().slice(0, 10);

async function numberOf(t: TestDatabase, accountId: string): Promise<string> {
  const rows = rowsOf<{ number: string }>(await t.db.execute(sql`select number from account_summary where account_id = ${accountId}`));
  return rows[0]!.number;
}

async function count(t: TestDatabase, query: ReturnType<typeof sql>): Promise<number> {
  return Number(rowsOf<{ n: string }>(await t.db.execute(query))[0]!.n);
}

describe.each(backends)("payees and standing orders on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());
  const ctx = () => context(t.db);

  it("confirms a payee by the holder's masked name, saves, renames and deletes it, each an audited event on the customer's stream", async () => {
    const dana = await customerWithAccount(t.db, { name: "Dana Payer", balance: 10_000 });
    const erin = await customerWithAccount(t.db, { name: "Erin Whitfield" });
    const number = await numberOf(t, erin.accountId);
    const confirmation = await confirmPayee(t.db, { accountNumber: number });
    expect(confirmation.holderName).toBe("Er** Wh*******");
    const payee = await addPayee(
      t.db,
      dana.user,
      { name: "Erin (rent)", accountNumber: number, confirmedHolderName: confirmation.holderName },
      meta({ ...dana.actor, commandId: newCommandId() }),
    );
    expect(payee).toMatchObject({ name: "Erin (rent)", accountNumber: number, holderName: "Er** Wh*******" });
    await renamePayee(t.db, dana.user, { payeeId: payee.payeeId, name: "Landlady" }, meta(dana.actor));
    expect((await readPayeePage(t.db, dana.user.id, { limit: 10 })).rows.map((row) => row.name)).toEqual(["Landlady"]);
    // Someone else cannot rename or delete it: it is not theirs, so nothing happens and nothing is recorded.
    expect(await deletePayee(t.db, erin.user, { payeeId: payee.payeeId }, meta(erin.actor))).toBe(false);
    expect(await deletePayee(t.db, dana.user, { payeeId: payee.payeeId }, meta(dana.actor))).toBe(true);
    const audited = rowsOf<{ event_type: string; stream_id: string }>(
      await t.db.execute(
        sql`select event_type, stream_id from audit_log where customer_id = ${dana.user.id} and event_type like 'Payee%' order by global_position`,
      ),
    );
    expect(audited).toEqual([
      { event_type: "PayeeAdded", stream_id: `user-${dana.user.id}` },
      { event_type: "PayeeRenamed", stream_id: `user-${dana.user.id}` },
      { event_type: "PayeeDeleted", stream_id: `user-${dana.user.id}` },
    ]);
  });

  it("refuses an unknown number, a changed holder, a duplicate and more than the cap of payees, saving nothing", async () => {
    const dana = await customerWithAccount(t.db, { name: "Dana Capped" });
    const erin = await customerWithAccount(t.db, { name: "Erin Target" });
    const number = await numberOf(t, erin.accountId);
    await expect(confirmPayee(t.db, { accountNumber: "LL00 0000 0000" })).rejects.toBeInstanceOf(ValidationError);
    await expect(
      addPayee(t.db, dana.user, { name: "x", accountNumber: number, confirmedHolderName: "Someone Else" }, meta(dana.actor)),
    ).rejects.toThrow(ValidationError);
    await expect(addPayee(t.db, dana.user, { name: "y".repeat(61), accountNumber: number }, meta(dana.actor))).rejects.toThrow(ValidationError);
    await addPayee(t.db, dana.user, { name: "Erin", accountNumber: number }, meta(dana.actor));
    await expect(addPayee(t.db, dana.user, { name: "Erin again", accountNumber: number }, meta(dana.actor))).rejects.toThrow(ValidationError);
    // Fill up to the cap with other accounts, concurrently: the cap holds under the owner's lock.
    const opened = await Promise.all(
      Array.from({ length: MAX_PAYEES + 3 }, () => openAccount(context(t.db), { customerId: erin.user.id, currency: "EUR" }, meta(erin.actor))),
    );
    const numbers = await Promise.all(opened.map((account) => numberOf(t, account.accountId)));
    const results = await Promise.allSettled(
      numbers.map((accountNumber, i) => addPayee(t.db, dana.user, { name: `Other ${i}`, accountNumber }, meta(dana.actor))),
    );
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(MAX_PAYEES - 1);
    expect(await count(t, sql`select count(*)::text as n from payees where owner_id = ${dana.user.id}`)).toBe(MAX_PAYEES);
  });

  it("pays a monthly order on its due date once, goes on after a failed payment, and pauses, resumes, edits and cancels", async () => {
    const dana = await customerWithAccount(t.db, { name: "Dana Orders", balance: 3_000 });
    const erin = await customerWithAccount(t.db, { name: "Erin Orders" });
    await setTimeZone(t.db, dana.user, { timeZone: "Europe/Berlin" }, meta(dana.actor));
    const created = new Date("2030-01-10T12:00:00Z");
    const { orderId } = await createOrder(
      ctx(),
      dana.user,
      {
        fromAccountId: dana.accountId,
        toAccountNumber: await numberOf(t, erin.accountId),
        amount: "2000",
        reference: "Rent",
        schedule: { kind: "monthly", startDate: "2030-01-10", dayOfMonth: 31, count: "" },
        timeZone: "Europe/Berlin",
      },
      meta({ ...dana.actor, commandId: newCommandId(), now: created }),
    );
    expect((await findOrderFor(t.db, dana.user.id, orderId))?.nextDueAt?.toISOString()).toBe("2030-01-31T05:00:00.000Z");
    // Nothing is due yet: nothing happens.
    expect(await runDueOrders(ctx(), { maxMs: 5_000, now: () => new Date("2030-01-31T04:59:00Z") })).toEqual({
      ordersStarted: 0,
      ordersFailed: 0,
      orderErrors: 0,
    });
    // Two runs at the same time over the same due date: one transfer.
    const at = () => new Date("2030-01-31T05:00:00Z");
    await Promise.all([runDueOrders(ctx(), { maxMs: 5_000, now: at }), runDueOrders(ctx(), { maxMs: 5_000, now: at })]);
    await runDueTransfers({ ctx: ctx(), runnerId: "test" }, { maxMs: 5_000 });
    expect(await accountBalance(t.db, erin.accountId)).toBe(2_000n);
    // February: 1,000 left, 2,000 due: the transfer fails, is shown, and the order goes on to March.
    await runDueOrders(ctx(), { maxMs: 5_000, now: () => new Date("2030-02-28T06:00:00Z") });
    await runDueTransfers({ ctx: ctx(), runnerId: "test" }, { maxMs: 5_000 });
    const payments = await orderPaymentsFor(t.db, dana.user.id, orderId);
    expect(payments.map(({ dueAt, transferStatus }) => ({ dueAt, transferStatus }))).toEqual([
      { dueAt: "2030-02-28T05:00:00.000Z", transferStatus: "failed" },
      { dueAt: "2030-01-31T05:00:00.000Z", transferStatus: "completed" },
    ]);
    expect(payments[0]?.failureReason).toMatch(/Not enough/);
    // Summer time: 06:00 in Berlin is 04:00 UTC.
    expect((await findOrderFor(t.db, dana.user.id, orderId))?.nextDueAt?.toISOString()).toBe("2030-03-31T04:00:00.000Z");

    const owner = { ...dana.actor, now: new Date("2030-03-01T00:00:00Z") };
    await pauseOrder(ctx(), dana.user, { orderId }, meta(owner));
    expect(await runDueOrders(ctx(), { maxMs: 5_000, now: () => new Date("2030-04-01T00:00:00Z") })).toEqual({
      ordersStarted: 0,
      ordersFailed: 0,
      orderErrors: 0,
    });
    await resumeOrder(ctx(), dana.user, { orderId }, meta({ ...owner, now: new Date("2030-04-02T00:00:00Z") }));
    expect((await findOrderFor(t.db, dana.user.id, orderId))?.nextDueAt?.toISOString()).toBe("2030-04-30T04:00:00.000Z");
    await editOrder(
      ctx(),
      dana.user,
      { orderId, amount: 500, reference: "Rent (new)", schedule: { kind: "weekly", startDate: "2030-04-08" }, timeZone: "Europe/Berlin" },
      meta({ ...owner, now: new Date("2030-04-02T00:00:00Z") }),
    );
    expect(await findOrderFor(t.db, dana.user.id, orderId)).toMatchObject({ amount: 500n, nextDueAt: new Date("2030-04-08T04:00:00Z") });
    // Not hers: the same as no such order.
    await expect(cancelOrder(ctx(), erin.user, { orderId }, meta(erin.actor))).rejects.toMatchObject({ code: "ORDER_NOT_FOUND" });
    await cancelOrder(ctx(), dana.user, { orderId }, meta(owner));
    expect((await findOrderFor(t.db, dana.user.id, orderId))?.status).toBe("cancelled");
    const audited = rowsOf<{ event_type: string }>(
      await t.db.execute(sql`select event_type from audit_log where stream_id = ${`order-${orderId}`} order by global_position`),
    );
    expect(audited.map((row) => row.event_type)).toEqual([
      "OrderCreated",
      "OrderPaymentStarted",
      "OrderPaymentStarted",
      "OrderPaused",
      "OrderResumed",
      "OrderEdited",
      "OrderCancelled",
    ]);
  });

  it("a runner that dies mid-payment leaves nothing; the next run makes the one transfer", async () => {
    const dana = await customerWithAccount(t.db, { name: "Dana Crash", balance: 1_000 });
    const erin = await customerWithAccount(t.db, { name: "Erin Crash" });
    const { orderId } = await createOrder(
      ctx(),
      dana.user,
      {
        fromAccountId: dana.accountId,
        toAccountNumber: await numberOf(t, erin.accountId),
        amount: 100,
        timeZone: "UTC",
        schedule: { kind: "once", date: "2030-08-01" },
      },
      meta({ ...dana.actor, now: new Date("2030-07-01T00:00:00Z") }),
    );
    const at = () => new Date("2030-08-01T07:00:00Z");
    const crash = () => {
      throw new Error("runner died");
    };
    expect(await runDueOrders(ctx(), { maxMs: 5_000, now: at, fault: crash })).toEqual({ ordersStarted: 0, ordersFailed: 0, orderErrors: 1 });
    expect(await count(t, sql`select count(*)::text as n from events where stream_id = ${`order-${orderId}`}`)).toBe(1);
    expect(await runDueOrders(ctx(), { maxMs: 5_000, now: at })).toEqual({ ordersStarted: 1, ordersFailed: 0, orderErrors: 0 });
    expect(await runDueOrders(ctx(), { maxMs: 5_000, now: at })).toEqual({ ordersStarted: 0, ordersFailed: 0, orderErrors: 0 });
    const [payment] = await orderPaymentsFor(t.db, dana.user.id, orderId);
    expect(await count(t, sql`select count(*)::text as n from transfers_view where transfer_id = ${payment!.transferId}`)).toBe(1);
    expect((await findOrderFor(t.db, dana.user.id, orderId))?.status).toBe("finished");
  });

  it("refuses an order from someone else's account, in the past, or with bad fields, recording nothing", async () => {
    const dana = await customerWithAccount(t.db, { name: "Dana Refused" });
    const erin = await customerWithAccount(t.db, { name: "Erin Refused" });
    const base = {
      toAccountNumber: await numberOf(t, dana.accountId),
      amount: 100,
      timeZone: "UTC",
      schedule: { kind: "once", date: isoDate(new Date(Date.now() + 3 * DAY)) },
    };
    await expect(createOrder(ctx(), erin.user, { ...base, fromAccountId: dana.accountId }, meta(erin.actor))).rejects.toMatchObject({
      fieldErrors: { fromAccountId: expect.any(Array) },
    });
    await expect(
      createOrder(
        ctx(),
        erin.user,
        {
          ...base,
          toAccountNumber: await numberOf(t, dana.accountId),
          fromAccountId: erin.accountId,
          schedule: { kind: "once", date: isoDate(new Date(Date.now() - 3 * DAY)) },
        },
        meta(erin.actor),
      ),
    ).rejects.toMatchObject({ fieldErrors: { "schedule.date": expect.any(Array) } });
    await expect(
      createOrder(
        ctx(),
        erin.user,
        { ...base, fromAccountId: erin.accountId, timeZone: "Mars/Olympus", schedule: { kind: "monthly", startDate: "2031-02-30", dayOfMonth: 40 } },
        meta(erin.actor),
      ),
    ).rejects.toMatchObject({
      fieldErrors: { timeZone: expect.any(Array), "schedule.startDate": expect.any(Array), "schedule.dayOfMonth": expect.any(Array) },
    });
    expect(await count(t, sql`select count(*)::text as n from standing_orders where owner_id = ${erin.user.id}`)).toBe(0);
  });

  it("shows a payment from a frozen account as failed (at reserve), and the order goes on to its next date", async () => {
    const dana = await customerWithAccount(t.db, { name: "Dana Frozen", balance: 5_000 });
    const erin = await customerWithAccount(t.db, { name: "Erin Closed" });
    const { orderId } = await createOrder(
      ctx(),
      dana.user,
      {
        fromAccountId: dana.accountId,
        toAccountNumber: await numberOf(t, erin.accountId),
        amount: 100,
        timeZone: "UTC",
        schedule: { kind: "weekly", startDate: "2030-06-03", count: 2 },
      },
      meta({ ...dana.actor, now: new Date("2030-06-01T00:00:00Z") }),
    );
    await freezeAccount(
      context(t.db),
      { accountId: dana.accountId, category: "suspected_fraud", reason: "Test" },
      meta({ actor: { id: "admin-1", role: "admin" } }),
    );
    await runDueOrders(ctx(), { maxMs: 5_000, now: () => new Date("2030-06-03T06:00:00Z") });
    await runDueTransfers({ ctx: ctx(), runnerId: "test" }, { maxMs: 5_000 });
    const [payment] = await orderPaymentsFor(t.db, dana.user.id, orderId);
    expect(payment).toMatchObject({ outcome: "started", transferStatus: "failed", failureReason: "The source account is frozen." });
    expect((await findOrderFor(t.db, dana.user.id, orderId))?.nextDueAt?.toISOString()).toBe("2030-06-10T06:00:00.000Z");
  });
});

describe.each(postgresBackends)("standing orders racing on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  it("two runners and the cron route racing over 1,000 due orders make exactly one transfer each", async () => {
    const global = globalThis as { __ledgerlineDb?: { handle?: Promise<DatabaseHandle> } };
    (global.__ledgerlineDb ??= {}).handle = Promise.resolve(t.handle);
    const cron = await import("@/app/api/cron/transfers/route");
    const ctx = context(t.db);
    // An empty source account: each transfer fails at its first money step, which keeps the run short.
    const dana = await customerWithAccount(t.db, { name: "Dana Many" });
    const erin = await customerWithAccount(t.db, { name: "Erin Many" });
    const toAccountNumber = await numberOf(t, erin.accountId);
    // Midnight UTC ten days ago: the order is set up then, for 06:00 that day.
    const past = new Date(Math.floor(Date.now() / DAY) * DAY - 10 * DAY);
    const total = 1_000;
    const ids: string[] = [];
    for (let offset = 0; offset < total; offset += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, total - offset) }, () =>
          createOrder(
            ctx,
            dana.user,
            { fromAccountId: dana.accountId, toAccountNumber, amount: 1, timeZone: "UTC", schedule: { kind: "once", date: isoDate(past) } },
            meta({ ...dana.actor, now: past, commandId: newCommandId() }),
          ),
        ),
      );
      ids.push(...batch.map((result) => result.orderId));
    }
    const request = () => new Request("http://localhost/api/cron/transfers", { headers: { authorization: `Bearer ${process.env.CRON_SECRET}` } });
    const [first, second, cronResponse] = await Promise.all([
      runDueOrders(ctx, { maxMs: 60_000 }),
      runDueOrders(context(t.db), { maxMs: 60_000 }),
      cron.GET(request()),
    ]);
    expect(cronResponse.status).toBe(200);
    const fromCron = (await cronResponse.json()) as { ordersStarted: number };
    // Whatever the cron left for lack of time, a last run finishes; it makes nothing twice.
    const last = await runDueOrders(ctx, { maxMs: 60_000 });
    expect(first.ordersStarted + second.ordersStarted + fromCron.ordersStarted + last.ordersStarted).toBe(total);
    expect(await count(t, sql`select count(*)::text as n from events where event_type = 'OrderPaymentStarted'`)).toBe(total);
    expect(await count(t, sql`select count(*)::text as n from events where event_type = 'TransferRequested'`)).toBe(total);
    expect(
      await count(t, sql`select count(distinct transfer_id)::text as n from order_payments where order_id = any(${`{${ids.join(",")}}`}::text[])`),
    ).toBe(total);
    expect(await count(t, sql`select count(*)::text as n from standing_orders where status <> 'finished'`)).toBe(0);
    expect(await runDueOrders(ctx, { maxMs: 5_000 })).toEqual({ ordersStarted: 0, ordersFailed: 0, orderErrors: 0 });
  }, 240_000);
});
