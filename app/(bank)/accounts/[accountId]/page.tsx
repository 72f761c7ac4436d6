import { randomUUID } from "node:crypto";

import type { Metadata } from "next";
import Link from "next/link";

import { BalanceChart } from "@/components/accounts/balance-chart";
import { MonthlyChart } from "@/components/accounts/monthly-chart";
import { FormMessage } from "@/components/ui/field";
import { selfServiceDeposits } from "@/lib/dal/account-commands";
import { getBalanceSeries, getMonthlySummary, getMyAccount, getStatementMonths, getStatementPage, parseMyStatementFilter } from "@/lib/dal/accounts";
import { myFormatting } from "@/lib/dal/formatting";
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
  const { filter: parsed, errors } = await parseMyStatementFilter(account, search);
  const { cursor, ...filter } = parsed;
  const invalid = Object.keys(errors).length > 0;
  const [page, series, monthly, months, formatting] = await Promise.all([
    // A filter with a mistake shows the mistake, not a list that ignores part of what was asked.
    invalid ? { entries: [], nextCursor: null } : getStatementPage(accountId, filter, cursor),
    getBalanceSeries(accountId),
    getMonthlySummary(accountId),
    getStatementMonths(accountId),
    myFormatting(),
  ]);
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
          This account is frozen ({FREEZE_CATEGORY_LABELS[account.freezeCategory ?? "other"] ?? "Other reason"}). Deposits and withdrawals are refused
          until it is unfrozen. Contact us if you did not expect this.
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
        <BalanceChart points={series} currency={account.currency} formatting={formatting} />
      </section>
      <section className="card" aria-labelledby="monthly-heading">
        <h2 id="monthly-heading">Money in and out</h2>
        <MonthlyChart months={monthly} currency={account.currency} formatting={formatting} />
      </section>
      <section className="card" aria-labelledby="pdf-heading">
        <h2 id="pdf-heading">Monthly statements</h2>
        <form className="filters" method="get" action={`/accounts/${account.id}/statement.pdf`} aria-label="Download a monthly statement">
          <div className="field">
            <label htmlFor="statement-month">Month</label>
            <select id="statement-month" name="month" defaultValue={months[0]?.value}>
              {months.map((month) => (
                <option key={month.value} value={month.value}>
                  {month.label}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button secondary">
            Download PDF
          </button>
        </form>
        <p className="muted small">Opening and closing balance and every movement of the month, with dates in {formatting.timeZone}.</p>
      </section>
      <Statement
        accountId={account.id}
        currency={account.currency}
        entries={page.entries}
        nextCursor={page.nextCursor}
        filter={filter}
        values={search}
        errors={errors}
        timeZone={formatting.timeZone}
        paged={cursor !== undefined}
      />
    </>
  );
}
