import { randomUUID } from "node:crypto";

import type { Metadata } from "next";
import Link from "next/link";

import { listMyPayees } from "@/lib/dal/payees";

import { changePayeeAction } from "./actions";
import { AddPayeeForm } from "./add-payee-form";

export const metadata: Metadata = { title: "Payees" };

export default async function PayeesPage() {
  const { payees } = await listMyPayees();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Payees</h1>
          <p className="muted">People and accounts you pay often. Pay them from the transfer form, or set up a standing order.</p>
        </div>
        <Link href="/orders" className="button secondary">
          Standing orders
        </Link>
      </div>
      <section className="card" aria-labelledby="add-payee-heading">
        <h2 id="add-payee-heading">Add a payee</h2>
        <AddPayeeForm commandId={randomUUID()} />
      </section>
      <section aria-labelledby="payees-heading">
        <h2 id="payees-heading">Your payees</h2>
        {payees.length === 0 ? (
          <p className="card muted">No payees yet.</p>
        ) : (
          <div className="table-wrap card" role="region" aria-label="Payee list" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Account</th>
                  <th scope="col">Holder</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {payees.map((payee) => (
                  <tr key={payee.id}>
                    <td>
                      <form action={changePayeeAction} className="inline-form">
                        <input type="hidden" name="payeeId" value={payee.id} />
                        <label className="visually-hidden" htmlFor={`rename-${payee.id}`}>
                          Name of {payee.name}
                        </label>
                        <input id={`rename-${payee.id}`} name="name" defaultValue={payee.name} maxLength={60} />
                        <button type="submit" name="intent" value="rename" className="link-button">
                          Rename
                        </button>
                      </form>
                    </td>
                    <td className="mono">{payee.accountNumber}</td>
                    <td>{payee.holderName}</td>
                    <td>
                      <Link href={`/transfers/new?payee=${payee.id}`}>Pay</Link>{" "}
                      <form action={changePayeeAction} className="inline-form">
                        <input type="hidden" name="payeeId" value={payee.id} />
                        <button type="submit" name="intent" value="delete" className="link-button" aria-label={`Delete ${payee.name}`}>
                          Delete
                        </button>
                      </form>
                    </td>
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
