import { currencyList } from "@/lib/domain/shared/currency";

export default function HomePage() {
  return (
    <>
      <section aria-labelledby="hero-title">
        <h1 id="hero-title">Banking you can audit, down to the last cent</h1>
        <p className="lead">
          Ledgerline is an open-source web banking portal built on event sourcing. Every deposit, withdrawal and transfer is an immutable fact in an
          append-only ledger; balances, statements and the audit trail are derived from those facts and can be rebuilt at any time.
        </p>
      </section>
      <section className="grid spaced" aria-label="What Ledgerline does">
        <div className="card">
          <h2>For customers</h2>
          <p>Open accounts in {currencyList()}, deposit, withdraw and transfer, and read statements that always add up.</p>
        </div>
        <div className="card">
          <h2>For the back office</h2>
          <p>Freeze accounts with a reason, review held transfers, and read who did what, when and why.</p>
        </div>
        <div className="card">
          <h2>For operators</h2>
          <p>
            One command runs it on an embedded Postgres; point <code>DATABASE_URL</code> at your own Postgres to scale out.
          </p>
        </div>
      </section>
    </>
  );
}
