import "server-only";
import { asc, eq } from "drizzle-orm";
import { releaseOrRequestApproval } from "../../commands/approvals";
import { rejectHeldTransfer } from "../../commands/transfers";
import { database } from "../../db";
import { transfersView, users } from "../../db/schema";
import { formatAccountNumber } from "../../domain/account/account-number";
import type { Currency } from "../../domain/shared/currency";
import { formatMoney } from "../../domain/shared/money";
import { driveTransfer } from "../../process-managers/transfer-runner";
import { commandContext } from "../context";
import { adminFormCommand, FormRefusal, formValues } from "../form";
import { requireAdminUser, UUID } from "./access";
import { awaitingApprovalFor, type AwaitingApprovalDto } from "./approvals";
import { log } from "../../log";

export type HeldTransferDto = {
  id: string;
  amount: string;
  currency: Currency;
  reference: string | null;
  holdReason: string;
  from: { accountId: string; customerId: string; number: string; name: string };
  to: { accountId: string; customerId: string; number: string; name: string };
  requestedBy: string;
  requestedByEmail: string | null;
  requestedAt: string;
  heldAt: string | null;
  /** A release was asked for above the four-eyes threshold: it waits for a second admin. */
  awaitingApproval: AwaitingApprovalDto | null;
};

/** Transfers waiting for an admin, oldest first (the longest wait is reviewed first). */
export async function listHeldTransfers(limit = 200): Promise<HeldTransferDto[]> {
  await requireAdminUser();
  const { db } = await database();
  const rows = await db
    .select({ transfer: transfersView, requesterEmail: users.email })
    .from(transfersView)
    .leftJoin(users, eq(users.id, transfersView.requestedBy))
    .where(eq(transfersView.status, "held"))
    .orderBy(asc(transfersView.requestedAt))
    .limit(limit);
  const awaiting = await awaitingApprovalFor(rows.map(({ transfer }) => transfer.transferId));
  return rows.map(({ transfer: row, requesterEmail }) => ({
    id: row.transferId,
    amount: row.amount.toString(),
    currency: row.currency,
    reference: row.reference,
    holdReason: row.holdReason ?? "Held for review",
    from: { accountId: row.fromAccountId, customerId: row.fromCustomerId, number: formatAccountNumber(row.fromNumber), name: row.fromName },
    to: { accountId: row.toAccountId, customerId: row.toCustomerId, number: formatAccountNumber(row.toNumber), name: row.toName },
    requestedBy: row.requestedBy,
    requestedByEmail: requesterEmail,
    requestedAt: row.requestedAt.toISOString(),
    heldAt: row.steps.find((step) => step.step === "held")?.at ?? null,
    awaitingApproval: awaiting.get(row.transferId) ?? null,
  }));
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
      const row = (await ctx.db.select().from(transfersView).where(eq(transfersView.transferId, transferId)))[0];
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
