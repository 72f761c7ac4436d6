"use client";

import Link from "next/link";
import { useActionState } from "react";

import { DecisionForm } from "@/components/admin/decision-form";
import { formatUtc } from "@/components/admin/format";
import { FormMessage } from "@/components/ui/field";
import { Money } from "@/components/ui/money";
import type { HeldInboundPaymentDto, InboundReviewState } from "@/lib/dal/admin/inbound-payments";
import { formatMoney } from "@/lib/domain/shared/money";

import { inboundReviewAction } from "../actions";

/** The review queue of inbound payments; one action state, so the outcome stays after the payment leaves. */
export function HeldInboundQueue({ payments }: { payments: HeldInboundPaymentDto[] }) {
  const [state, action, pending] = useActionState<InboundReviewState, FormData>(inboundReviewAction, { status: "idle" });
  return (
    <>
      {state.message ? <FormMessage tone={state.status === "success" ? "success" : "error"}>{state.message}</FormMessage> : null}
      {payments.length === 0 ? (
        <p className="card muted">No inbound payments are waiting for review.</p>
      ) : (
        <ul className="held-list">
          {payments.map((payment) => {
            const mine = state.paymentId === payment.id && state.status === "invalid";
            const titleId = `inbound-${payment.id}-title`;
            const label = `${formatMoney(BigInt(payment.amount), payment.currency)} from ${payment.debtor.name}`;
            return (
              <li key={payment.id}>
                <article className="card held-transfer" aria-labelledby={titleId} data-payment-id={payment.id}>
                  <h2 id={titleId}>
                    <Money amount={payment.amount} currency={payment.currency} /> from {payment.debtor.name}
                  </h2>
                  <p className="notice notice-warning hold-reason">
                    <strong>Why it is held:</strong> {payment.holdReason}
                  </p>
                  <dl className="details">
                    <div>
                      <dt>To</dt>
                      <dd>
                        {payment.accountId ? (
                          <Link href={`/admin/accounts/${payment.accountId}`} className="mono">
                            {payment.accountNumber}
                          </Link>
                        ) : (
                          <span className="mono">{payment.accountNumber}</span>
                        )}
                      </dd>
                    </div>
                    <div>
                      <dt>Debtor account</dt>
                      <dd className="mono">{payment.debtor.account}</dd>
                    </div>
                    <div>
                      <dt>Reference</dt>
                      <dd>{payment.reference ?? <span className="muted">none</span>}</dd>
                    </div>
                    <div>
                      <dt>Scheme payment id</dt>
                      <dd className="mono">{payment.schemePaymentId}</dd>
                    </div>
                    <div>
                      <dt>Received</dt>
                      <dd>{formatUtc(payment.receivedAt)}</dd>
                    </div>
                    <div>
                      <dt>Events</dt>
                      <dd>
                        <Link href={`/admin/streams/inbound-${payment.id}`}>inbound-{payment.id.slice(0, 8)}…</Link>
                      </dd>
                    </div>
                  </dl>
                  <DecisionForm
                    action={action}
                    label={`Review: ${label}`}
                    fields={{ paymentId: payment.id }}
                    idPrefix={`inbound-${payment.id}`}
                    errors={state.fieldErrors?.reason}
                    kept={mine}
                    keptReason={state.values?.reason}
                    decisions={[
                      { value: "release", label: "Release" },
                      { value: "return", label: "Return", danger: true },
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
