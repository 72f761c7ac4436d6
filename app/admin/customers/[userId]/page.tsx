import type { Metadata } from "next";
import Link from "next/link";

import { StatusBadge } from "@/components/accounts/status-badge";
import { formatUtc } from "@/components/admin/format";
import { Money } from "@/components/ui/money";
import { auditQuery } from "@/lib/dal/admin/audit";
import { getCustomer } from "@/lib/dal/admin/customers";

export const metadata: Metadata = { title: "Customer" };

export default async function AdminCustomerPage({ params }: { params: Promise<{ userId: string }> }) {
  const { userId } = await params;
  const customer = await getCustomer(userId);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{customer.name}</h1>
          <p className="muted">
            {customer.email} · {customer.role} · joined {formatUtc(customer.createdAt)}
          </p>
          <p className="muted mono small-print">{customer.id}</p>
        </div>
        <div className="actions">
          <Link className="button secondary" href={`/admin/audit${auditQuery({ customer: customer.id })}`}>
            Audit trail
          </Link>
          <Link className="button secondary" href={`/admin/streams/user-${customer.id}`}>
            Identity events
          </Link>
        </div>
      </div>
      <section aria-labelledby="customer-accounts-title">
        <h2 id="customer-accounts-title">Accounts</h2>
        {customer.accounts.length === 0 ? (
          <p className="card muted">This person has no accounts.</p>
        ) : (
          <div className="table-wrap card" role="region" aria-label="Customer's accounts" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Balance
                  </th>
                  <th scope="col" className="num">
                    Reserved
                  </th>
                  <th scope="col" className="num">
                    Available
                  </th>
                  <th scope="col">Opened</th>
                </tr>
              </thead>
              <tbody>
                {customer.accounts.map((account) => (
                  <tr key={account.id}>
                    <td>
                      <Link href={`/admin/accounts/${account.id}`}>{account.nickname ?? `${account.currency} account`}</Link>
                      <span className="reference mono">{account.displayNumber}</span>
                    </td>
                    <td>
                      <StatusBadge status={account.status} freezeCategory={account.freezeCategory} />
                    </td>
                    <td className="num">
                      <Money amount={account.balance} currency={account.currency} />
                    </td>
                    <td className="num">
                      <Money amount={account.reserved} currency={account.currency} />
                    </td>
                    <td className="num">
                      <Money amount={account.available} currency={account.currency} />
                    </td>
                    <td>{formatUtc(account.openedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
