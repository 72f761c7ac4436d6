import { randomUUID } from "node:crypto";

import type { Metadata } from "next";
import Link from "next/link";

import { listMyAccounts } from "@/lib/dal/accounts";
import { myFormatting } from "@/lib/dal/formatting";
import { listMyPayees } from "@/lib/dal/payees";
import { formatMoney } from "@/lib/domain/shared/money";

import { TransferForm } from "./transfer-form";

export const metadata: Metadata = { title: "Make a transfer" };

export default async function NewTransferPage({ searchParams }: { searchParams: Promise<{ from?: string; payee?: string }> }) {
  const { locale } = await myFormatting();
  const { from, payee } = await searchParams;
  const [all, { payees }] = await Promise.all([listMyAccounts(), listMyPayees()]);
  const accounts = all.filter((account) => account.status !== "Closed");
  return (
    <div className="narrow card">
      <h1>Make a transfer</h1>
      {accounts.length === 0 ? (
        <p>
          You need an account first. <Link href="/accounts/new">Open one</Link>.
        </p>
      ) : (
        <TransferForm
          commandId={randomUUID()}
          fromAccountId={accounts.some((account) => account.id === from) ? from : undefined}
          payees={payees.map((p) => ({ id: p.id, label: `${p.name} · ${p.accountNumber} · ${p.holderName}` }))}
          payeeId={payees.some((p) => p.id === payee) ? payee : undefined}
          accounts={accounts.map((account) => ({
            id: account.id,
            currency: account.currency,
            status: account.status,
            label: `${account.nickname ?? `${account.currency} account`} · ${account.displayNumber} · ${formatMoney(BigInt(account.available), account.currency, locale)} available`,
          }))}
        />
      )}
    </div>
  );
}
