"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Field, FormMessage } from "@/components/ui/field";
import { Money } from "@/components/ui/money";
import { formatUtc } from "@/components/admin/format";
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
            const subjectHref = approval.kind === "release_transfer" ? `/admin/streams/transfer-${approval.subjectId}` : `/admin/accounts/${approval.subjectId}`;
            return (
              <li key={`${approval.id}-${approval.round}`}>
                <article className="card held-transfer" aria-labelledby={titleId} data-approval-id={approval.id}>
                  <h2 id={titleId}>{approval.description}</h2>
                  <dl className="details">
                    <div>
                      <dt>What</dt>
                      <dd>
                        {approval.kindLabel} (<Link href={subjectHref}>{approval.kind === "release_transfer" ? "the transfer's events" : "the account"}</Link>)
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
                  {approval.mine ? (
                    <p className="notice notice-warning">You asked for this: another admin must approve or decline it.</p>
                  ) : null}
                  <form action={action} className="form" aria-label={`Decide: ${approval.description}`} noValidate>
                    <input type="hidden" name="approvalId" value={approval.id} />
                    <input type="hidden" name="round" value={approval.round} />
                    <input type="hidden" name="commandId" value={approval.commandId} />
                    <Field id={`approval-${approval.id}-reason`} label="Reason" errors={mine ? state.fieldErrors?.reason : undefined} hint="Required; recorded in the audit trail.">
                      {(props) => <textarea {...props} key={`${approval.id}-${mine ? "kept" : "fresh"}`} name="reason" rows={2} maxLength={500} defaultValue={mine ? state.values?.reason : ""} />}
                    </Field>
                    <div className="actions">
                      <button type="submit" name="decision" value="approve" className="button" disabled={pending} aria-disabled={pending}>
                        Approve
                      </button>
                      <button type="submit" name="decision" value="decline" className="button danger" disabled={pending} aria-disabled={pending}>
                        Decline
                      </button>
                    </div>
                  </form>
                </article>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
