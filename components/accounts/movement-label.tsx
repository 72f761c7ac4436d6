import { rejectionText } from "@/lib/errors/messages";

const KIND_LABELS: Record<string, string> = { deposit: "Deposit", withdrawal: "Withdrawal" };

export function movementLabel(kind: string, outcome: string): string {
  const label = KIND_LABELS[kind] ?? kind;
  return outcome === "rejected" ? `${label} refused` : label;
}

export function MovementDetail({ reference, rejectionCode }: { reference: string | null; rejectionCode: string | null }) {
  return (
    <>
      {reference ? <span className="reference">{reference}</span> : null}
      {rejectionCode ? <span className="refusal">Refused: {rejectionText(rejectionCode)}</span> : null}
    </>
  );
}
