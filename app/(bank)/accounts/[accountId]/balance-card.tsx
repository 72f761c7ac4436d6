import { StatusBadge } from "@/components/accounts/status-badge";
import { Money } from "@/components/ui/money";
import type { AccountDto } from "@/lib/dal/accounts";

/**
 * Balances, rendered on the server with the rest of the page: a command's action revalidates the
 * page and the live stream refreshes it, so there is nothing to cache in the browser.
 */
export function BalanceCard({ account: current }: { account: AccountDto }) {
  return (
    <section className="card balances" aria-labelledby="balances-title">
      <h2 id="balances-title" className="visually-hidden">
        Balances
      </h2>
      <div className="balance-main">
        <p className="muted">Balance</p>
        <p className="big" data-testid="balance">
          <Money amount={current.balance} currency={current.currency} />
        </p>
      </div>
      <dl className="amounts">
        <div>
          <dt>Reserved</dt>
          <dd data-testid="reserved">
            <Money amount={current.reserved} currency={current.currency} />
          </dd>
        </div>
        <div>
          <dt>Available</dt>
          <dd data-testid="available">
            <Money amount={current.available} currency={current.currency} />
          </dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={current.status} freezeCategory={current.freezeCategory} />
          </dd>
        </div>
      </dl>
    </section>
  );
}
