import "server-only";

import { decideApprovalRequest } from "../../commands/approvals";
import { database } from "../../db";
import { log } from "../../log";
import { driveTransfer } from "../../process-managers/transfer-runner";
import { readAwaitingApprovals, readPendingApprovals, type AwaitingApprovalDto, type PendingApprovalDto } from "../../read-models/approvals";
import { commandContext } from "../context";
import { adminFormCommand, FORM_MESSAGES, FormRefusal, formValues } from "../form";
import { requireAdminUser, UUID } from "./access";

export type { AwaitingApprovalDto, PendingApprovalDto } from "../../read-models/approvals";

/** Approvals waiting for a second admin, oldest first. */
export async function listPendingApprovals(limit = 200): Promise<PendingApprovalDto[]> {
  const admin = await requireAdminUser();
  const { db } = await database();
  return readPendingApprovals(db, admin.id, limit);
}

/** The pending approval on a transfer or account, if any: its page says it awaits a second admin. */
export async function awaitingApprovalFor(subjectIds: readonly string[]): Promise<Map<string, AwaitingApprovalDto>> {
  await requireAdminUser();
  const { db } = await database();
  return readAwaitingApprovals(db, subjectIds);
}

export type ApprovalDecisionState = {
  status: "idle" | "success" | "invalid" | "error";
  message?: string;
  approvalId?: string;
  fieldErrors?: { reason?: string[] };
  values?: { reason: string };
};

/**
 * A second admin approves or declines a pending approval, with a reason. Approving performs the
 * action in the same transaction; a released transfer is then driven at once, like any release.
 */
export async function submitApprovalDecision(formData: FormData): Promise<ApprovalDecisionState> {
  const { approvalId, decision, reason, round } = formValues(formData, ["approvalId", "decision", "reason", "round"]);
  const outcome = await adminFormCommand(formData, {
    // The page draws one per approval shown: a double submit decides once.
    commandId: "required",
    check: "the approval",
    refusals: {
      APPROVAL_NOT_FOUND: "Approval not found.",
      APPROVAL_NOT_PENDING: (error) => `${error.message} Reload the page to see where it stands.`,
      TRANSFER_NOT_HELD: "The transfer is no longer held (it was rejected or released meanwhile); decline this approval.",
    },
    async run({ metadata }): Promise<{ status: "success" | "error"; message: string }> {
      if (!UUID.test(approvalId)) throw new FormRefusal("Approval not found.");
      if (decision !== "approve" && decision !== "decline") throw new FormRefusal("Choose Approve or Decline.");
      const ctx = await commandContext();
      const result = await decideApprovalRequest(ctx, { approvalId, round, decision, reason }, metadata);
      if (result.status === "refused") return { status: "error", message: `${result.message} The attempt is in the audit trail; nothing changed.` };
      const what = result.request?.description ?? "the request";
      if (result.status === "declined") return { status: "success", message: `Declined: ${what}. Nothing was done.` };
      if (result.request?.kind === "release_transfer" && !result.replayed) {
        const transferId = result.request.subjectId;
        const state = await driveTransfer({ ctx, runnerId: `admin-${process.pid}` }, transferId).catch((error: unknown) => {
          log().warn({ event: "transfer-runner", transferId, err: error }, "approved transfer left for the background runner");
          return undefined;
        });
        const after =
          state?.status === "Completed"
            ? " It completed."
            : state?.status === "Failed"
              ? ` It then failed: ${state.failure.reason}`
              : " It will finish in the background.";
        return { status: "success", message: `Approved: ${what}.${after}` };
      }
      return { status: "success", message: `Approved: ${what}. Done.` };
    },
  });
  if (outcome.ok) return { ...outcome.value, approvalId };
  if (outcome.kind === "error") return { status: "error", approvalId, message: outcome.message };
  // Only the reason is typed in; any other field's problem is a form that was tampered with or is stale.
  if (!outcome.fieldErrors.reason) return { status: "error", approvalId, message: FORM_MESSAGES.expired };
  return { status: "invalid", approvalId, fieldErrors: { reason: outcome.fieldErrors.reason }, values: { reason } };
}
