"use client";

import Link from "next/link";
import { useActionState } from "react";

import { DecisionForm } from "@/components/admin/decision-form";
import { formatUtc } from "@/components/admin/format";
import { FormMessage } from "@/components/ui/field";
import { Money } from "@/components/ui/money";
import type { ApprovalDecisionState, PendingApprovalDto } from "@/lib/dal/admin/approvals";

import { approvalDecisionAction } from "../actions";

/** The approvals waiting for a second admin; one action state, so an outcome stays after its row leaves. */
export function ApprovalQueue({ approvals }: { approvals: (PendingApprovalDto & { commandId: string })[] }) {
  const [state, action, pending] = useActionState<ApprovalDecisionState, FormData>(approvalDecisionAction, { status: "idle" });
  return (
    <>
      {state.message ? <FormMessage tone={state.status === "success" ? "success" : "error"}>{state.message}</FormMessage> : null}
      {approvals.length === 0 ? (
        <p className="card muted">No approvals are waiting.</p>
      ) : (
        <ul className="held-list">
          {approvals.map((approval) => {
            const mine = state.approvalId === approval.id && state.status === "invalid";
            const titleId = `approval-${approval.id}-title`;
            const subjectHref =
              approval.kind === "release_transfer" ? `/admin/streams/transfer-${approval.subjectId}` : `/admin/accounts/${approval.subjectId}`;
            return (
              <li key={`${approval.id}-${approval.round}`}>
                <article className="card held-transfer" aria-labelledby={titleId} data-approval-id={approval.id}>
                  <h2 id={titleId}>{approval.description}</h2>
                  <dl className="details">
                    <div>
                      <dt>What</dt>
                      <dd>
                        {approval.kindLabel} (
                        <Link href={subjectHref}>{approval.kind === "release_transfer" ? "the transfer's events" : "the account"}</Link>)
                      </dd>
                    </div>
                    {approval.amount !== null && approval.currency ? (
                      <div>
                        <dt>Amount</dt>
                        <dd>
                          <Money amount={approval.amount} currency={approval.currency} />
                        </dd>
                      </div>
                    ) : null}
                    <div>
                      <dt>Asked by</dt>
                      <dd>
                        {approval.requestedByEmail ?? approval.requestedBy} at {formatUtc(approval.requestedAt)}
                      </dd>
                    </div>
                    <div>
                      <dt>Their reason</dt>
                      <dd>{approval.requestReason}</dd>
                    </div>
                  </dl>
                  {approval.mine ? <p className="notice notice-warning">You asked for this: another admin must approve or decline it.</p> : null}
                  <DecisionForm
                    action={action}
                    label={`Decide: ${approval.description}`}
                    fields={{ approvalId: approval.id, round: approval.round, commandId: approval.commandId }}
                    idPrefix={`approval-${approval.id}`}
                    errors={state.fieldErrors?.reason}
                    kept={mine}
                    keptReason={state.values?.reason}
                    hint="Required; recorded in the audit trail."
                    decisions={[
                      { value: "approve", label: "Approve" },
                      { value: "decline", label: "Decline", danger: true },
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
