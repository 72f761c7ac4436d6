"use client";

import { useQuery } from "@tanstack/react-query";

import { useLiveConnected } from "@/components/live/live-updates";
import { Stepper } from "@/components/transfers/stepper";
import { Money } from "@/components/ui/money";
import type { TransferDto } from "@/lib/dal/transfers";
import { transferQuery } from "@/lib/queries/transfers";

const STATUS_TEXT: Record<string, string> = {
  requested: "In progress",
  screened: "In progress",
  reserved: "In progress",
  sent: "Sent to the other bank",
  credited: "Finishing",
  releasing: "Failing: returning the reserved money",
  held: "Under review",
  completed: "Completed",
  failed: "Failed",
};

/** Live progress: pushed by the live stream (polled without one) until the transfer ends. */
export function TransferProgress({ initial }: { initial: TransferDto }) {
  const { data } = useQuery(transferQuery(initial.id, initial, { live: useLiveConnected() }));
  const transfer = data ?? initial;
  return (
    <section className="card" aria-labelledby="progress-title">
      <div className="section-head">
        <h2 id="progress-title">
          <Money amount={transfer.amount} currency={transfer.currency} /> to {transfer.to.name}
        </h2>
        <p className={`badge badge-transfer-${transfer.status}`} role="status" aria-live="polite" data-testid="transfer-status">
          {STATUS_TEXT[transfer.status] ?? transfer.status}
        </p>
      </div>
      <Stepper transfer={transfer} />
    </section>
  );
}
