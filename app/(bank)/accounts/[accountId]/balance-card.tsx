"use client";

import { useQuery } from "@tanstack/react-query";
import { StatusBadge } from "@/components/accounts/status-badge";
import { useLiveConnected } from "@/components/live/live-updates";
import { Money } from "@/components/ui/money";
import type { AccountDto } from "@/lib/dal/accounts";
import { accountQuery } from "@/lib/queries/accounts";

/** Balances from the query cache, seeded by the server render and refetched after each command. */
export function BalanceCard({ initial }: { initial: AccountDto }) {
  const { data: account } = useQuery(accountQuery(initial.id, initial, { live: useLiveConnected() }));
  const current = account ?? initial;
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
