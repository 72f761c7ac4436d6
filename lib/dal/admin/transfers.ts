import "server-only";
import { releaseOrRequestApproval } from "../../commands/approvals";
import { rejectHeldTransfer } from "../../commands/transfers";
import { database } from "../../db";
import { DomainError, ValidationError } from "../../domain/shared/errors";
import { formatMoney } from "../../domain/shared/money";
import { driveTransfer } from "../../process-managers/transfer-runner";
import { findTransfer, type HeldTransferDto, readHeldTransfers } from "../../read-models/transfers";
import { commandContext } from "../context";
import { adminMetadata, currentAdmin, formText, NOT_AN_ADMIN_MESSAGE, requireAdminUser, UUID } from "./access";
import { log } from "../../log";

export type { HeldTransferDto } from "../../read-models/transfers";

/** Transfers waiting for an admin, oldest first (the longest wait is reviewed first). */
export async function listHeldTransfers(limit = 200): Promise<HeldTransferDto[]> {
  await requireAdminUser();
  const { db } = await database();
  return readHeldTransfers(db, limit);
}

export type TransferReviewState = {
  status: "idle" | "success" | "invalid" | "error";
  message?: string;
  /** Which transfer the field errors belong to (one form per held transfer shares this state). */
  transferId?: string;
  fieldErrors?: { reason?: string[] };
  values?: { reason: string };
};

/**
 * Releases or rejects a held transfer with a reason. A release is driven at once, as a customer's
 * new transfer is, so the admin sees where it ended; if another runner holds it, the background
 * runner finishes it.
 */
export async function submitTransferReview(formData: FormData): Promise<TransferReviewState> {
  const admin = await currentAdmin();
  if (!admin) return { status: "error", message: NOT_AN_ADMIN_MESSAGE };
  const transferId = formText(formData, "transferId");
  const decision = formText(formData, "decision");
  const reason = formText(formData, "reason");
  if (!UUID.test(transferId)) return { status: "error", message: "Transfer not found." };
  if (decision !== "release" && decision !== "reject") {
    return { status: "error", transferId, message: "Choose Release or Reject." };
  }
  const ctx = await commandContext();
  const { db } = await database();
  const row = await findTransfer(db, transferId);
  if (!row) return { status: "error", message: "Transfer not found." };
  const what = `${formatMoney(row.amount, row.currency)} from ${row.fromName} to ${row.toName}`;
  try {
    if (decision === "reject") {
      await rejectHeldTransfer(ctx, { transferId, reason }, await adminMetadata(admin));
      return { status: "success", transferId, message: `Rejected the transfer of ${what}. It failed; no money moved.` };
    }
    const outcome = await releaseOrRequestApproval(ctx, { transferId, reason }, await adminMetadata(admin));
    if (outcome.kind === "approval-requested") {
      return {
        status: "success",
        transferId,
        message: `The release of ${what} is above the four-eyes limit: it now awaits approval by a second admin (Approvals). The transfer stays held.`,
      };
    }
    const state = await driveTransfer({ ctx, runnerId: `admin-${process.pid}` }, transferId).catch((error: unknown) => {
      log().warn({ event: "transfer-runner", transferId, err: error }, "released transfer left for the background runner");
      return undefined;
    });
    if (state?.status === "Completed") return { status: "success", transferId, message: `Released the transfer of ${what}. It completed.` };
    if (state?.status === "Failed") {
      return { status: "success", transferId, message: `Released the transfer of ${what}, but it then failed: ${state.failure.reason}` };
    }
    return { status: "success", transferId, message: `Released the transfer of ${what}. It will finish in the background.` };
  } catch (error) {
    if (error instanceof ValidationError) {
      return { status: "invalid", transferId, fieldErrors: { reason: error.fieldErrors.reason }, values: { reason } };
    }
    if (error instanceof DomainError && error.code === "TRANSFER_NOT_HELD") {
      return { status: "error", transferId, message: "This transfer is no longer held: it was already released or rejected." };
    }
    if (error instanceof DomainError && error.code === "TRANSFER_NOT_FOUND") return { status: "error", message: "Transfer not found." };
    if (error instanceof DomainError && error.code === "OWN_ITEM") return { status: "error", transferId, message: error.message };
    if (error instanceof DomainError && error.code === "APPROVAL_PENDING") {
      return { status: "error", transferId, message: "Its release already awaits approval by a second admin: approve or decline it under Approvals." };
    }
    throw error;
  }
}
