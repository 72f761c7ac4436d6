import { randomUUID } from "node:crypto";

import { registerUser, type SessionUser } from "@/lib/auth/users";
import { depositMoney, openAccount } from "@/lib/commands/accounts";
import type { Database } from "@/lib/db/client";

import { context, meta } from "./commands";

/** A registered customer with one account holding `balance` minor units. */
export async function customerWithAccount(db: Database, options: { name?: string; currency?: string; balance?: number } = {}) {
  const user: SessionUser = await registerUser(db, {
    name: options.name ?? "Test Customer",
    email: `c-${randomUUID()}@example.com`,
    password: "a test pass phrase",
  });
  const actor = { actor: { id: user.id, role: "customer" as const } };
  const { accountId } = await openAccount(context(db), { customerId: user.id, currency: options.currency ?? "EUR" }, meta(actor));
  if (options.balance) await depositMoney(context(db), { accountId, amount: options.balance }, meta(actor));
  return { user, accountId, actor };
}
