import { randomUUID } from "node:crypto";
import type { Metadata } from "next";
import Link from "next/link";
import { BalanceChart } from "@/components/accounts/balance-chart";
import { FormMessage } from "@/components/ui/field";
import { getBalanceSeries, getMyAccount, getStatementPage, parseStatementFilter } from "@/lib/dal/accounts";
import { selfServiceDeposits } from "@/lib/dal/account-commands";
import { FREEZE_CATEGORY_LABELS } from "@/lib/errors/messages";
import { BalanceCard } from "./balance-card";
import { MoneyForm } from "./money-form";
import { Statement } from "./statement";

export const metadata: Metadata = { title: "Account" };

type Props = { params: Promise<{ accountId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AccountPage({ params, searchParams }: Props) {
  const { accountId } = await params;
  const search = await searchParams;
  const account = await getMyAccount(accountId);
  const { cursor, ...filter } = parseStatementFilter(search);
  const [page, series] = await Promise.all([getStatementPage(accountId, filter, cursor), getBalanceSeries(accountId)]);
  const closed = account.status === "Closed" ? "This account is closed." : undefined;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{account.nickname ?? `${account.currency} account`}</h1>
          <p className="muted mono">
            {account.displayNumber} · {account.currency}
          </p>
        </div>
        {account.status !== "Closed" ? (
          <Link href={`/transfers/new?from=${account.id}`} className="button secondary">
            Transfer from this account
          </Link>
        ) : null}
      </div>
      {search.opened ? <FormMessage tone="success">Your account is open. Its number is {account.displayNumber}.</FormMessage> : null}
      {account.status === "Frozen" ? (
        <FormMessage tone="warning">
          This account is frozen ({FREEZE_CATEGORY_LABELS[account.freezeCategory ?? "other"] ?? "Other reason"}). Deposits and
          withdrawals are refused until it is unfrozen. Contact us if you did not expect this.
        </FormMessage>
      ) : null}
      <BalanceCard account={account} />
      {selfServiceDeposits() ? (
        <div className="two-col">
          <div className="card">
            <MoneyForm kind="deposit" accountId={account.id} currency={account.currency} commandId={randomUUID()} disabledReason={closed} />
          </div>
          <div className="card">
            <MoneyForm kind="withdrawal" accountId={account.id} currency={account.currency} commandId={randomUUID()} disabledReason={closed} />
          </div>
        </div>
      ) : (
        <p className="card muted" data-testid="deposits-off">
          Money arrives by payment to this account&apos;s number, {account.displayNumber}.
        </p>
      )}
      <section className="card" aria-labelledby="chart-heading">
        <h2 id="chart-heading">Balance over time</h2>
        <BalanceChart points={series} currency={account.currency} />
      </section>
      <Statement accountId={account.id} entries={page.entries} nextCursor={page.nextCursor} filter={filter} paged={cursor !== undefined} />
    </>
  );
}
