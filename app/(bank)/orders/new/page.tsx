import { randomUUID } from "node:crypto";

import type { Metadata } from "next";
import Link from "next/link";

import { listMyAccounts } from "@/lib/dal/accounts";
import { myTimeZone } from "@/lib/dal/orders";
import { listMyPayees } from "@/lib/dal/payees";

import { OrderForm } from "./order-form";

export const metadata: Metadata = { title: "New order" };

export default async function NewOrderPage({ searchParams }: { searchParams: Promise<{ payee?: string }> }) {
  const { payee } = await searchParams;
  const [accounts, { payees }, timeZone] = await Promise.all([listMyAccounts(), listMyPayees(), myTimeZone()]);
  const open = accounts.filter((account) => account.status !== "Closed");
  return (
    <div className="narrow card">
      <h1>New scheduled or standing order</h1>
      {open.length === 0 ? (
        <p>
          You need an account first. <Link href="/accounts/new">Open one</Link>.
        </p>
      ) : (
        <OrderForm
          commandId={randomUUID()}
          accounts={open.map((account) => ({
            id: account.id,
            label: `${account.nickname ?? `${account.currency} account`} · ${account.displayNumber}`,
          }))}
          payees={payees.map((p) => ({ id: p.id, label: `${p.name} · ${p.accountNumber}` }))}
          savedTimeZone={timeZone}
          payeeId={payees.some((p) => p.id === payee) ? payee : undefined}
        />
      )}
    </div>
  );
}
