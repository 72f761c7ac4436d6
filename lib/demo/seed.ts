import { eq } from "drizzle-orm";
import { type CommandContext, depositMoney, openAccount, withdrawMoney } from "../commands/accounts";
import { users } from "../db/schema";
import { seedTotpSecret } from "../auth/second-factor";
import { registerUser } from "../auth/users";
import { addSanctionsEntry } from "../commands/transfers";
import type { CommandMetadata } from "../domain/shared/decider";

/** The demo sign-ins, stated in the README too. */
export const DEMO_CUSTOMER = { name: "Dana Whitfield", email: "dana@ledgerline.dev", password: "sunny-harbour-42" };
export const DEMO_ADMIN = { name: "Avery Stone", email: "avery@ledgerline.dev", password: "steady-audit-42" };
/**
 * The demo admin's authenticator secret (the back office needs a second factor). Published in the
 * README, like the password: add it to an authenticator app, or compute codes from it.
 */
export const DEMO_ADMIN_TOTP_SECRET = "LEDGERLINEDEMOADMINTOTPSECRET234";
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

  async function deposit(accountId: string, amount: number, reference: string, day: number) {
    await depositMoney(ctx, { accountId, amount, reference }, meta, at(day, 10));
  }
  return { seeded: true };
}
