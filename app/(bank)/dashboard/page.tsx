import type { Metadata } from "next";
import Link from "next/link";

import { MovementAmount, MovementDetail, movementLabel } from "@/components/accounts/movement-label";
import { StatusBadge } from "@/components/accounts/status-badge";
import { DataTable, PageHead } from "@/components/ui/data-table";
import { When } from "@/components/ui/formatting";
import { Money } from "@/components/ui/money";
import { getRecentMovements, listMyAccounts, totalsByCurrency, type AccountDto } from "@/lib/dal/accounts";
import { requireUser } from "@/lib/dal/session";

export const metadata: Metadata = { title: "Your accounts" };

export default async function DashboardPage() {
  const user = await requireUser();
  const [accounts, movements] = await Promise.all([listMyAccounts(), getRecentMovements()]);
  return (
    <>
      <PageHead
        title={`Hello, ${user.name.split(" ")[0]}`}
        actions={
          <div className="actions">
            <Link href="/transfers/new" className="button">
              Make a transfer
            </Link>
            <Link href="/accounts/new" className="button secondary">
              Open an account
            </Link>
          </div>
        }
      >
        Your accounts at a glance.
      </PageHead>
      <Totals totals={totalsByCurrency(accounts)} />
      <Accounts accounts={accounts} />
      <LatestMovements movements={movements} />
    </>
  );
}

function Totals({ totals }: { totals: ReturnType<typeof totalsByCurrency> }) {
  if (totals.length === 0) return null;
  return (
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
  );
}

function Accounts({ accounts }: { accounts: AccountDto[] }) {
  return (
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
  );
}

function LatestMovements({ movements }: { movements: Awaited<ReturnType<typeof getRecentMovements>> }) {
  if (movements.length === 0) return null;
  return (
    <section aria-labelledby="recent-title">
      <h2 id="recent-title">Latest movements</h2>
      <DataTable
        label="Latest movements table"
        columns={["Date", "Account", "Movement", { label: "Amount", className: "num" }]}
        rowCount={movements.length}
      >
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
              <MovementAmount entry={entry} />
            </td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}
