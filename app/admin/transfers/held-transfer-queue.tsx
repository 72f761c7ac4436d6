"use client";

import Link from "next/link";
import { useActionState } from "react";

import { DecisionForm } from "@/components/admin/decision-form";
import { formatUtc } from "@/components/admin/format";
import { FormMessage } from "@/components/ui/field";
import { Money } from "@/components/ui/money";
import type { HeldTransferDto, TransferReviewState } from "@/lib/dal/admin/transfers";
import { formatMoney } from "@/lib/domain/shared/money";

import { transferReviewAction } from "../actions";

/**
 * The review queue. One action state for every transfer's form, so the outcome of a release or
 * reject stays on screen after the transfer leaves the queue.
 */
export function HeldTransferQueue({ transfers }: { transfers: HeldTransferDto[] }) {
  const [state, action, pending] = useActionState<TransferReviewState, FormData>(transferReviewAction, { status: "idle" });
  return (
    <>
      {state.message ? <FormMessage tone={state.status === "success" ? "success" : "error"}>{state.message}</FormMessage> : null}
      {transfers.length === 0 ? (
        <p className="card muted">No transfers are waiting for review.</p>
      ) : (
        <ul className="held-list">
          {transfers.map((transfer) => {
            const mine = state.transferId === transfer.id && state.status === "invalid";
            const errors = mine ? state.fieldErrors?.reason : undefined;
            const titleId = `held-${transfer.id}-title`;
            return (
              <li key={transfer.id}>
                <article className="card held-transfer" aria-labelledby={titleId} data-transfer-id={transfer.id}>
                  <h2 id={titleId}>
                    <Money amount={transfer.amount} currency={transfer.currency} /> from {transfer.from.name} to {transfer.to.name}
                  </h2>
                  <p className="notice notice-warning hold-reason">
                    <strong>Why it is held:</strong> {transfer.holdReason}
                  </p>
                  {transfer.awaitingApproval ? (
                    <p className="notice notice-warning" data-testid="awaiting-approval">
                      Release awaiting approval by a second admin (asked by {transfer.awaitingApproval.requestedByEmail ?? "an admin"} at{" "}
                      {formatUtc(transfer.awaitingApproval.requestedAt)}): <Link href="/admin/approvals">Approvals</Link>.
                    </p>
                  ) : null}
                  <dl className="details">
                    <div>
                      <dt>From</dt>
                      <dd>
                        <Link href={`/admin/accounts/${transfer.from.accountId}`} className="mono">
                          {transfer.from.number}
                        </Link>{" "}
                        {transfer.from.name}
                      </dd>
                    </div>
                    <div>
                      <dt>To</dt>
                      <dd>
                        <Link href={`/admin/accounts/${transfer.to.accountId}`} className="mono">
                          {transfer.to.number}
                        </Link>{" "}
                        {transfer.to.name}
                      </dd>
                    </div>
                    <div>
                      <dt>Reference</dt>
                      <dd>{transfer.reference ?? <span className="muted">none</span>}</dd>
                    </div>
                    <div>
                      <dt>Requested</dt>
                      <dd>
                        {formatUtc(transfer.requestedAt)} by {transfer.requestedByEmail ?? transfer.requestedBy}
                      </dd>
                    </div>
                    <div>
                      <dt>Events</dt>
                      <dd>
                        <Link href={`/admin/streams/transfer-${transfer.id}`}>transfer-{transfer.id.slice(0, 8)}…</Link>
                      </dd>
                    </div>
                  </dl>
                  <DecisionForm
                    action={action}
                    label={`Review: ${formatMoney(BigInt(transfer.amount), transfer.currency)} from ${transfer.from.name} to ${transfer.to.name}`}
                    fields={{ transferId: transfer.id }}
                    idPrefix={`review-${transfer.id}`}
                    errors={errors}
                    kept={mine}
                    keptReason={state.values?.reason}
                    decisions={[
                      { value: "release", label: "Release" },
                      { value: "reject", label: "Reject", danger: true },
                    ]}
                    pending={pending}
                  />
                </article>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
