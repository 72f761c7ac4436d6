import { StatusBadge } from "@/components/accounts/status-badge";
import { Money } from "@/components/ui/money";
import type { Currency } from "@/lib/domain/shared/currency";

/** Balance, reserved, available and status of an account, now or at a point in its history. */
export function AccountFigures({
  figures,
  currency,
  testIdPrefix = "admin",
}: {
  figures: { balance: string; reserved: string; available: string; status: string; freezeCategory: string | null };
  currency: Currency;
  testIdPrefix?: string;
}) {
  return (
    <dl className="amounts admin-figures">
      <div>
        <dt>Balance</dt>
        <dd data-testid={`${testIdPrefix}-balance`} className="big">
          <Money amount={figures.balance} currency={currency} />
        </dd>
      </div>
      <div>
        <dt>Reserved</dt>
        <dd data-testid={`${testIdPrefix}-reserved`}>
          <Money amount={figures.reserved} currency={currency} />
        </dd>
      </div>
      <div>
        <dt>Available</dt>
        <dd data-testid={`${testIdPrefix}-available`}>
          <Money amount={figures.available} currency={currency} />
        </dd>
      </div>
      <div>
        <dt>Status</dt>
        <dd data-testid={`${testIdPrefix}-status`}>
          <StatusBadge status={figures.status} freezeCategory={figures.freezeCategory} />
        </dd>
      </div>
    </dl>
  );
}
