import { Money } from "@/components/ui/money";
import type { Currency } from "@/lib/domain/shared/currency";
import { rejectionText } from "@/lib/errors/messages";

const KIND_LABELS: Record<string, string> = {
  deposit: "Deposit",
  withdrawal: "Withdrawal",
  transfer_in: "Transfer in",
  transfer_out: "Transfer out",
};

export function movementLabel(kind: string, outcome: string): string {
  const label = KIND_LABELS[kind] ?? kind;
  return outcome === "rejected" ? `${label} refused` : label;
}

export function MovementDetail({
  reference,
  rejectionCode,
  counterparty,
}: {
  reference: string | null;
  rejectionCode: string | null;
  counterparty?: string | null;
}) {
  return (
    <>
      {counterparty ? <span className="counterparty">{counterparty}</span> : null}
      {reference ? <span className="reference">{reference}</span> : null}
      {rejectionCode ? (
        <span className="refusal">
          {rejectionCode === "RETURNED_BY_SCHEME" ? "Returned" : "Refused"}: {rejectionText(rejectionCode)}
        </span>
      ) : null}
    </>
  );
}

/** A movement's amount: signed when it moved money, struck through when it was refused. */
export function MovementAmount({ entry }: { entry: { outcome: string; amount: string; balanceChange: string; currency: Currency } }) {
  return entry.outcome === "rejected" ? (
    <span className="struck">
      <Money amount={entry.amount} currency={entry.currency} />
    </span>
  ) : (
    <Money amount={entry.balanceChange} currency={entry.currency} signed />
  );
}
