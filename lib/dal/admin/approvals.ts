import "server-only";
import { decideApprovalRequest } from "../../commands/approvals";
import { database } from "../../db";
import { DomainError, ValidationError } from "../../domain/shared/errors";
import { IdempotencyKeyReusedError } from "../../event-store/errors";
import { log } from "../../log";
import { driveTransfer } from "../../process-managers/transfer-runner";
import { type AwaitingApprovalDto, type PendingApprovalDto, readAwaitingApprovals, readPendingApprovals } from "../../read-models/approvals";
import { commandContext } from "../context";
import { adminMetadata, currentAdmin, formText, NOT_AN_ADMIN_MESSAGE, requireAdminUser, UUID } from "./access";

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
  const admin = await currentAdmin();
  if (!admin) return { status: "error", message: NOT_AN_ADMIN_MESSAGE };
  const approvalId = formText(formData, "approvalId");
  const decision = formText(formData, "decision");
  const reason = formText(formData, "reason");
  const round = formText(formData, "round");
  const commandId = formText(formData, "commandId");
  if (!UUID.test(approvalId)) return { status: "error", message: "Approval not found." };
  if (decision !== "approve" && decision !== "decline") return { status: "error", approvalId, message: "Choose Approve or Decline." };
  const ctx = await commandContext();
  try {
    const result = await decideApprovalRequest(
      ctx,
      { approvalId, round, decision, reason },
      await adminMetadata(admin, UUID.test(commandId) ? commandId : undefined),
    );
    if (result.status === "refused") {
      return { status: "error", approvalId, message: `${result.message} The attempt is in the audit trail; nothing changed.` };
    }
    const what = result.request?.description ?? "the request";
    if (result.status === "declined") return { status: "success", approvalId, message: `Declined: ${what}. Nothing was done.` };
    if (result.request?.kind === "release_transfer" && !result.replayed) {
      const transferId = result.request.subjectId;
      const state = await driveTransfer({ ctx, runnerId: `admin-${process.pid}` }, transferId).catch((error: unknown) => {
        log().warn({ event: "transfer-runner", transferId, err: error }, "approved transfer left for the background runner");
        return undefined;
      });
      const after = state?.status === "Completed" ? " It completed." : state?.status === "Failed" ? ` It then failed: ${state.failure.reason}` : " It will finish in the background.";
      return { status: "success", approvalId, message: `Approved: ${what}.${after}` };
    }
    return { status: "success", approvalId, message: `Approved: ${what}. Done.` };
  } catch (error) {
    if (error instanceof ValidationError) {
      if (error.fieldErrors.reason) return { status: "invalid", approvalId, fieldErrors: { reason: error.fieldErrors.reason }, values: { reason } };
      return { status: "error", approvalId, message: "This form has expired. Reload the page and try again." };
    }
    if (error instanceof IdempotencyKeyReusedError) return { status: "error", approvalId, message: "This form was already sent. Reload the page." };
    if (error instanceof DomainError) {
      switch (error.code) {
        case "APPROVAL_NOT_FOUND":
          return { status: "error", message: "Approval not found." };
        case "APPROVAL_NOT_PENDING":
          return { status: "error", approvalId, message: `${error.message} Reload the page to see where it stands.` };
        case "TRANSFER_NOT_HELD":
          return { status: "error", approvalId, message: "The transfer is no longer held (it was rejected or released meanwhile); decline this approval." };
        case "OWN_ITEM":
          return { status: "error", approvalId, message: error.message };
        default:
          break;
      }
    }
    throw error;
  }
}
