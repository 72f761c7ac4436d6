import "server-only";

import { releaseOrRequestApproval } from "../../commands/approvals";
import { rejectHeldTransfer } from "../../commands/transfers";
import { database } from "../../db";
import { formatMoney } from "../../domain/shared/money";
import { log } from "../../log";
import { driveTransfer } from "../../process-managers/transfer-runner";
import { findTransfer, readHeldTransfers, type HeldTransferDto } from "../../read-models/transfers";
import { commandContext } from "../context";
import { adminFormCommand, FormRefusal, formValues } from "../form";
import { requireAdminUser, UUID } from "./access";

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
  const { transferId, decision, reason } = formValues(formData, ["transferId", "decision", "reason"]);
  const outcome = await adminFormCommand(formData, {
    // A second decision on the same transfer is refused by the transfer itself (no longer held).
    commandId: "none",
    refusals: {
      TRANSFER_NOT_HELD: "This transfer is no longer held: it was already released or rejected.",
      TRANSFER_NOT_FOUND: "Transfer not found.",
      APPROVAL_PENDING: "Its release already awaits approval by a second admin: approve or decline it under Approvals.",
    },
    async run({ metadata }) {
      if (!UUID.test(transferId)) throw new FormRefusal("Transfer not found.");
      if (decision !== "release" && decision !== "reject") throw new FormRefusal("Choose Release or Reject.");
      const ctx = await commandContext();
      const row = await findTransfer(ctx.db, transferId);
      if (!row) throw new FormRefusal("Transfer not found.");
      const what = `${formatMoney(row.amount, row.currency)} from ${row.fromName} to ${row.toName}`;
      if (decision === "reject") {
        await rejectHeldTransfer(ctx, { transferId, reason }, metadata);
        return `Rejected the transfer of ${what}. It failed; no money moved.`;
      }
      const outcome = await releaseOrRequestApproval(ctx, { transferId, reason }, metadata);
      if (outcome.kind === "approval-requested") {
        return `The release of ${what} is above the four-eyes limit: it now awaits approval by a second admin (Approvals). The transfer stays held.`;
      }
      const state = await driveTransfer({ ctx, runnerId: `admin-${process.pid}` }, transferId).catch((error: unknown) => {
        log().warn({ event: "transfer-runner", transferId, err: error }, "released transfer left for the background runner");
        return undefined;
      });
      if (state?.status === "Completed") return `Released the transfer of ${what}. It completed.`;
      if (state?.status === "Failed") return `Released the transfer of ${what}, but it then failed: ${state.failure.reason}`;
      return `Released the transfer of ${what}. It will finish in the background.`;
    },
  });
  if (outcome.ok) return { status: "success", transferId, message: outcome.value };
  return outcome.kind === "invalid"
    ? { status: "invalid", transferId, fieldErrors: { reason: outcome.fieldErrors.reason }, values: { reason } }
    : { status: "error", transferId, message: outcome.message };
}
