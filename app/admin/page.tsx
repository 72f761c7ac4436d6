import type { Metadata } from "next";
import Link from "next/link";

import { StatusBadge } from "@/components/accounts/status-badge";
import { formatUtc } from "@/components/admin/format";
import { Money } from "@/components/ui/money";
import { searchCustomers } from "@/lib/dal/admin/customers";

export const metadata: Metadata = { title: "Customers & accounts" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AdminSearchPage({ searchParams }: Props) {
  const params = await searchParams;
  const q = (Array.isArray(params.q) ? params.q[0] : params.q)?.trim() ?? "";
  const customers = await searchCustomers(q);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Customers &amp; accounts</h1>
          <p className="muted">Find a customer by name, email or account number.</p>
        </div>
      </div>
      <form className="filters card admin-search" method="get" role="search" aria-label="Customers">
        <div className="field admin-search-field">
          <label htmlFor="admin-q">Name, email or account number</label>
          <input id="admin-q" name="q" type="search" defaultValue={q} autoComplete="off" />
        </div>
        <button type="submit" className="button">
          Search
        </button>
      </form>
      <section aria-labelledby="results-title">
        <h2 id="results-title">{q ? `Results for “${q}”` : "Newest customers"}</h2>
        {customers.length === 0 ? (
          <p className="card muted">No customer matches “{q}”.</p>
        ) : (
          <div className="table-wrap card" role="region" aria-label="Customers found" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Customer</th>
                  <th scope="col">Role</th>
                  <th scope="col">Accounts</th>
                  <th scope="col">Joined</th>
                </tr>
              </thead>
              <tbody>
                {customers.map((customer) => (
                  <tr key={customer.id}>
                    <td>
                      <Link href={`/admin/customers/${customer.id}`}>{customer.name}</Link>
                      <span className="reference">{customer.email}</span>
                    </td>
                    <td>{customer.role}</td>
                    <td>
                      {customer.accounts.length === 0 ? (
                        <span className="muted">None</span>
                      ) : (
                        <ul className="plain-list">
                          {customer.accounts.map((account) => (
                            <li key={account.id}>
                              <Link href={`/admin/accounts/${account.id}`} className="mono">
                                {account.displayNumber}
                              </Link>{" "}
                              <Money amount={account.balance} currency={account.currency} />{" "}
                              {account.status !== "Active" ? <StatusBadge status={account.status} freezeCategory={account.freezeCategory} /> : null}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td>{formatUtc(customer.createdAt)}</td>
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
