import type { Metadata } from "next";
import Link from "next/link";
import { MovementDetail, movementLabel } from "@/components/accounts/movement-label";
import { StatusBadge } from "@/components/accounts/status-badge";
import { Money } from "@/components/ui/money";
import { getRecentMovements, listMyAccounts, totalsByCurrency } from "@/lib/dal/accounts";
import { requireUser } from "@/lib/dal/session";
import { When } from "@/components/ui/formatting";

export const metadata: Metadata = { title: "Your accounts" };


export default async function DashboardPage() {
  const user = await requireUser();
  const [accounts, movements] = await Promise.all([listMyAccounts(), getRecentMovements()]);
  const totals = totalsByCurrency(accounts);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Hello, {user.name.split(" ")[0]}</h1>
          <p className="muted">Your accounts at a glance.</p>
        </div>
        <div className="actions">
          <Link href="/transfers/new" className="button">
            Make a transfer
          </Link>
          <Link href="/accounts/new" className="button secondary">
            Open an account
          </Link>
        </div>
      </div>

      {totals.length > 0 ? (
        <section aria-labelledby="totals-title" className="totals">
          <h2 id="totals-title" className="visually-hidden">
            Totals by currency
          </h2>
          {totals.map((total) => (
            <div key={total.currency} className="card total">
              <p className="muted">Total in {total.currency}</p>
              <p className="big">
                <Money amount={total.balance} currency={total.currency} />
              </p>
              <p className="muted">
                Available <Money amount={total.available} currency={total.currency} />
              </p>
            </div>
          ))}
        </section>
      ) : null}

      <section aria-labelledby="accounts-title">
        <h2 id="accounts-title">Accounts</h2>
        {accounts.length === 0 ? (
          <div className="card empty">
            <p>You have no accounts yet.</p>
            <Link href="/accounts/new" className="button">
              Open your first account
            </Link>
          </div>
        ) : (
          <ul className="account-list">
            {accounts.map((account) => (
              <li key={account.id} className="card account-card">
                <div>
                  <Link href={`/accounts/${account.id}`} className="account-name">
                    {account.nickname ?? `${account.currency} account`}
                  </Link>
                  <p className="muted mono">{account.displayNumber}</p>
                  <StatusBadge status={account.status} freezeCategory={account.freezeCategory} />
                </div>
                <dl className="amounts">
                  <div>
                    <dt>Balance</dt>
                    <dd>
                      <Money amount={account.balance} currency={account.currency} />
                    </dd>
                  </div>
                  <div>
                    <dt>Available</dt>
                    <dd>
                      <Money amount={account.available} currency={account.currency} />
                    </dd>
                  </div>
                </dl>
              </li>
            ))}
          </ul>
        )}
      </section>

      {movements.length > 0 ? (
        <section aria-labelledby="recent-title">
          <h2 id="recent-title">Latest movements</h2>
          <div className="table-wrap card" role="region" aria-label="Latest movements table" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Account</th>
                  <th scope="col">Movement</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                </tr>
              </thead>
              <tbody>
                {movements.map((entry) => (
                  <tr key={`${entry.accountId}-${entry.position}`} className={entry.outcome === "rejected" ? "rejected" : undefined}>
                    <td>
                      <When at={entry.recordedAt} style="date" />
                    </td>
                    <td>
                      <Link href={`/accounts/${entry.accountId}`}>{entry.accountLabel}</Link>
                    </td>
                    <td>
                      {movementLabel(entry.kind, entry.outcome)}
                      <MovementDetail reference={entry.reference} rejectionCode={entry.rejectionCode} counterparty={entry.counterparty} />
                    </td>
                    <td className="num">
                      {entry.outcome === "rejected" ? (
                        <span className="struck">
                          <Money amount={entry.amount} currency={entry.currency} />
                        </span>
                      ) : (
                        <Money amount={entry.balanceChange} currency={entry.currency} signed />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </>
  );
}
