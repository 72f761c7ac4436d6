import { randomBytes } from "node:crypto";

import { eq } from "drizzle-orm";

import { seedTotpSecret } from "../auth/second-factor";
import { registerUser } from "../auth/users";
import { depositMoney, openAccount, withdrawMoney, type CommandContext } from "../commands/accounts";
import { receiveInboundPayment } from "../commands/inbound-payments";
import { createOrder } from "../commands/orders";
import { addPayee } from "../commands/payees";
import { setTimeZone } from "../commands/profile";
import { addSanctionsEntry, answerOutboundPayment, requestTransfer } from "../commands/transfers";
import { accountSummary, users } from "../db/schema";
import { localDateAt } from "../domain/order/schedule";
import type { CommandMetadata } from "../domain/shared/decider";
import { advanceInboundPayment } from "../process-managers/inbound-payments";
import { driveTransfer } from "../process-managers/transfer-runner";

/** The demo sign-ins, stated in the README too. */
export const DEMO_CUSTOMER = { name: "Dana Whitfield", email: "dana@ledgerline.dev", password: "sunny-harbour-42" };
export const DEMO_ADMIN = { name: "Avery Stone", email: "avery@ledgerline.dev", password: "steady-audit-42" };
/** A second admin, so the demo can show four eyes (one admin asks, the other approves). */
export const DEMO_SECOND_ADMIN = { name: "Blake Rivers", email: "blake@ledgerline.dev", password: "careful-review-42" };
/** Another customer, so the demo has someone to pay (no sign-in is advertised for them). */
export const DEMO_PAYEE = { name: "Sam Okafor", email: "sam@ledgerline.dev", password: "quiet-meadow-42" };
export const DEMO_TIME_ZONE = "Europe/Berlin";
/** The payment scheme the demo's payments from and to other banks went through (it has no token). */
export const DEMO_SCHEME = { name: "Demo Instant Payments", email: "scheme@schemes.ledgerline.invalid" };
/**
 * The demo admin's authenticator secret (the back office needs a second factor). Published in the
 * README, like the password: add it to an authenticator app, or compute codes from it.
 */
export const DEMO_ADMIN_TOTP_SECRET = "LEDGERLINEDEMOADMINTOTPSECRET234";
/** The second demo admin's authenticator secret, published the same way. */
export const DEMO_SECOND_ADMIN_TOTP_SECRET = "LEDGERLINESECONDADMINTOTPSECRET2";
/** Fictional names on the demo sanctions list: a transfer mentioning one is held for review. */
export const DEMO_SANCTIONS = ["Globex Illicit Trading", "Ivan Blacklistov"];

const DAY = 86_400_000;

/**
 * Creates the demo customer (two accounts with about three months of history) and the demo admin,
 * unless the customer already exists. The history goes through the real command path, dated in the past.
 */
export async function seedDemo(ctx: CommandContext, now = new Date()): Promise<{ seeded: boolean }> {
  const existing = await ctx.db.select({ id: users.id }).from(users).where(eq(users.email, DEMO_CUSTOMER.email));
  if (existing.length > 0) return { seeded: false };

  const customer = await registerUser(ctx.db, DEMO_CUSTOMER, { metadata: { now, origin: "system" } });
  const admin = await registerUser(ctx.db, DEMO_ADMIN, { role: "admin", metadata: { now, origin: "system" } });
  await seedTotpSecret(ctx.db, admin, DEMO_ADMIN_TOTP_SECRET, now);
  const secondAdmin = await registerUser(ctx.db, DEMO_SECOND_ADMIN, { role: "admin", metadata: { now, origin: "system" } });
  await seedTotpSecret(ctx.db, secondAdmin, DEMO_SECOND_ADMIN_TOTP_SECRET, now);
  for (const name of DEMO_SANCTIONS) {
    await addSanctionsEntry(ctx, { name, reason: "Demo sanctions list" }, { now, actor: { id: admin.id, role: "admin" }, origin: "system" });
  }

  const meta: CommandMetadata = { now, actor: { id: customer.id, role: "customer" }, origin: "system" };
  const start = now.getTime() - 92 * DAY;
  const at = (day: number, hour = 9) => ({ recordedAt: new Date(start + day * DAY + hour * 3_600_000) });

  const everyday = await openAccount(ctx, { customerId: customer.id, currency: "EUR", nickname: "Everyday" }, meta, at(0, 8));
  const savings = await openAccount(ctx, { customerId: customer.id, currency: "GBP", nickname: "Savings" }, meta, at(0, 8));
  const e = everyday.accountId;
  const s = savings.accountId;

  for (let month = 0; month < 3; month++) {
    const d = month * 30;
    await depositMoney(ctx, { accountId: e, amount: 285_000, reference: "Salary, Northwind Ltd" }, meta, at(d + 1));
    await withdrawMoney(ctx, { accountId: e, amount: 95_000, reference: "Rent" }, meta, at(d + 2));
    await withdrawMoney(ctx, { accountId: e, amount: 6_240 + month * 315, reference: "Groceries" }, meta, at(d + 6, 18));
    await withdrawMoney(ctx, { accountId: e, amount: 4_999, reference: "Electricity" }, meta, at(d + 9));
    await withdrawMoney(ctx, { accountId: e, amount: 7_815 - month * 410, reference: "Groceries" }, meta, at(d + 13, 17));
    await withdrawMoney(ctx, { accountId: e, amount: 2_450, reference: "Cinema" }, meta, at(d + 17, 20));
    await withdrawMoney(ctx, { accountId: e, amount: 5_530, reference: "Groceries" }, meta, at(d + 22, 18));
    await deposit(s, 20_000 + month * 5_000, "Monthly saving", d + 2);
  }
  // One refused attempt, so the statement shows what a refusal looks like.
  await withdrawMoney(ctx, { accountId: s, amount: 500_000, reference: "Car deposit" }, meta, at(85, 12));
  await deposit(s, 12_550, "Birthday gift", 88);

  await seedPayments(ctx, customer, e, now);
  await seedSchemePayments(ctx, customer, e, now);

  async function deposit(accountId: string, amount: number, reference: string, day: number) {
    await depositMoney(ctx, { accountId, amount, reference }, meta, at(day, 10));
  }
  return { seeded: true };
}

/**
 * Everyday payments in the demo: Sam as a saved payee (confirmed by masked name), one transfer to
 * him that completed and one that failed for lack of funds, and a monthly standing order for the
 * rent on the 1st, in the customer's time zone.
 */
async function seedPayments(ctx: CommandContext, customer: { id: string }, everyday: string, now: Date) {
  const sam = await registerUser(ctx.db, DEMO_PAYEE, { metadata: { now, origin: "system" } });
  const samMeta: CommandMetadata = { now, actor: { id: sam.id, role: "customer" }, origin: "system" };
  const { accountId: samAccount } = await openAccount(ctx, { customerId: sam.id, currency: "EUR", nickname: "Current" }, samMeta);
  const [row] = await ctx.db.select({ number: accountSummary.number }).from(accountSummary).where(eq(accountSummary.accountId, samAccount));
  const number = row?.number ?? "";
  const meta = (commandId: string): CommandMetadata => ({
    now,
    actor: { id: customer.id, role: "customer" },
    origin: "system",
    commandId: `demo:${commandId}`,
  });
  await setTimeZone(ctx.db, customer, { timeZone: DEMO_TIME_ZONE }, meta("time-zone"));
  const payee = await addPayee(ctx.db, customer, { name: "Sam (flatmate)", accountNumber: number }, meta("payee-sam"));
  const runner = { ctx, runnerId: "demo-seed" };
  const paid = await requestTransfer(
    ctx,
    { fromAccountId: everyday, toAccountNumber: number, amount: 4_250, reference: "Concert tickets" },
    meta("transfer-tickets"),
  );
  await driveTransfer(runner, paid.transferId);
  const refused = await requestTransfer(
    ctx,
    { fromAccountId: everyday, toAccountNumber: number, amount: 9_000_000, reference: "Shared car" },
    meta("transfer-car"),
  );
  await driveTransfer(runner, refused.transferId);
  const today = localDateAt(now.toISOString(), DEMO_TIME_ZONE);
  await createOrder(
    ctx,
    customer,
    {
      fromAccountId: everyday,
      payeeId: payee.payeeId,
      amount: 45_000,
      reference: "Rent share",
      timeZone: DEMO_TIME_ZONE,
      schedule: { kind: "monthly", startDate: today, dayOfMonth: 1 },
    },
    meta("order-rent"),
  );
}

/**
 * Payments through the scheme: one from another bank (credited) and one to another bank (settled),
 * both by the real command path, the scheme's answer included. The scheme user gets no token: nobody
 * can act as it, and `npm run scheme:create` makes a real one.
 */
async function seedSchemePayments(ctx: CommandContext, customer: { id: string }, everyday: string, now: Date) {
  const scheme = await registerUser(
    ctx.db,
    { name: DEMO_SCHEME.name, email: DEMO_SCHEME.email, password: randomBytes(32).toString("base64url") },
    { role: "scheme", metadata: { now, origin: "system" } },
  );
  const schemeMeta: CommandMetadata = { now, actor: { id: scheme.id, role: "scheme" }, origin: "system" };
  const [row] = await ctx.db.select({ number: accountSummary.number }).from(accountSummary).where(eq(accountSummary.accountId, everyday));
  const inbound = await receiveInboundPayment(
    ctx,
    {
      schemePaymentId: "DEMO-IN-1",
      accountNumber: row?.number ?? "",
      amount: 12_000,
      currency: "EUR",
      debtorName: "Marta Lindqvist",
      debtorAccount: "SE4550000000058398257466",
      reference: "Holiday cottage share",
    },
    { ...schemeMeta, commandId: "demo:inbound-1" },
  );
  await advanceInboundPayment(ctx, inbound.paymentId);

  const meta: CommandMetadata = { now, actor: { id: customer.id, role: "customer" }, origin: "system", commandId: "demo:outbound-1" };
  const runner = { ctx, runnerId: "demo-seed" };
  const sent = await requestTransfer(
    ctx,
    { fromAccountId: everyday, toIban: "DE89 3704 0044 0532 0130 00", payeeName: "Erika Mustermann", amount: 3_500, reference: "Piano lessons, May" },
    meta,
  );
  await driveTransfer(runner, sent.transferId);
  await answerOutboundPayment(ctx, "settle", { transferId: sent.transferId, schemeReference: "DEMO-OUT-1" }, schemeMeta);
  await driveTransfer(runner, sent.transferId);
}
