import { eq } from "drizzle-orm";
import { z } from "zod";

import { accountSummary, transfersView, users } from "../db/schema";
import { formatAccountNumber } from "../domain/account/account-number";
import { APPROVAL_STATE_SCHEMA_VERSION, approvalEventCodec, decodeApprovalState } from "../domain/approval/codec";
import { APPROVAL_REFUSAL_TEXT, approvalDecider } from "../domain/approval/decider";
import {
  APPROVAL_STREAM_TYPE,
  approvalStreamId,
  type ApprovalCommand,
  type ApprovalEvent,
  type ApprovalRefusalCode,
  type ApprovalRequestedData,
  type ApprovalState,
  type ApprovalSubject,
} from "../domain/approval/events";
import type { CommandMetadata } from "../domain/shared/decider";
import { DomainError } from "../domain/shared/errors";
import { formatMoney } from "../domain/shared/money";
import { handleCommand, type AggregateSpec } from "../event-store/handle-command";
import { inlineProjection } from "../projections/registry";
import { reasonInput, unfreezeAccount, type AccountCommandResult, type CommandContext, type RunOptions } from "./accounts";
import { approvalIdFor } from "./ids";
import { releaseHeldTransfer, reviewSchema, type TransferCommandOptions, type TransferRequestResult } from "./transfers";
import { idSchema, parseInput, requiredText } from "./validation";

export const approvalAggregate: AggregateSpec<ApprovalCommand, ApprovalEvent, ApprovalState> = {
  streamType: APPROVAL_STREAM_TYPE,
  decider: approvalDecider,
  codec: approvalEventCodec,
  snapshot: { schemaVersion: APPROVAL_STATE_SCHEMA_VERSION, decode: decodeApprovalState, every: 100 },
  ...inlineProjection(APPROVAL_STREAM_TYPE),
  // Two admins deciding at once queue on the stream's row: the second sees the first's decision.
  lockStream: true,
};

/** What a release or unfreeze did: done at once, or turned into a request for a second admin. */
export type FourEyesOutcome<Done> =
  { readonly kind: "done"; readonly result: Done } | { readonly kind: "approval-requested"; readonly approvalId: string; readonly replayed: boolean };

/** The request's own idempotency key: the form's command id was the direct attempt's, which recorded nothing. */
const requestKey = (metadata: CommandMetadata) =>
  metadata.commandId ? { scope: metadata.actor.id, key: `${metadata.commandId}:approval` } : undefined;

async function requestApproval(ctx: CommandContext, subject: ApprovalSubject, reason: string, metadata: CommandMetadata) {
  const outcome = await handleCommand(
    ctx.db,
    approvalAggregate,
    approvalStreamId(subject.approvalId),
    { type: "RequestApproval", data: { ...subject, requestedBy: metadata.actor.id, reason } },
    { metadata, idempotency: requestKey(metadata) },
  );
  return { kind: "approval-requested", approvalId: subject.approvalId, replayed: outcome.replayed } as const;
}

/**
 * An admin releases a held transfer. At or below the approval threshold it is released at once; above
 * it the release becomes a pending approval that another admin must grant (the transfer stays held).
 * The threshold is checked by the release itself, on the transfer's locked state.
 */
export async function releaseOrRequestApproval(
  ctx: CommandContext,
  input: unknown,
  metadata: CommandMetadata,
  options: TransferCommandOptions = {},
): Promise<FourEyesOutcome<TransferRequestResult>> {
  const { transferId, reason } = parseInput(reviewSchema, input);
  try {
    return { kind: "done", result: await releaseHeldTransfer(ctx, { transferId, reason }, metadata, { ...options, approved: false }) };
  } catch (error) {
    if (!(error instanceof DomainError && error.code === "APPROVAL_REQUIRED")) throw error;
  }
  const row = (await ctx.db.select().from(transfersView).where(eq(transfersView.transferId, transferId)))[0];
  if (!row) throw new DomainError("TRANSFER_NOT_FOUND", "No such transfer.");
  const subject: ApprovalSubject = {
    approvalId: approvalIdFor("release_transfer", transferId),
    kind: "release_transfer",
    subjectId: transferId,
    accountId: row.fromAccountId,
    ownerIds: [row.fromCustomerId, row.toCustomerId],
    amount: row.amount,
    currency: row.currency,
    description: `Release the held transfer of ${formatMoney(row.amount, row.currency)} from ${row.fromName} to ${row.toName}`,
  };
  return requestApproval(ctx, subject, reason, metadata);
}

/** An admin unfreezes an account; a fraud freeze becomes a pending approval for another admin instead. */
export async function unfreezeOrRequestApproval(
  ctx: CommandContext,
  input: unknown,
  metadata: CommandMetadata,
  options: RunOptions = {},
): Promise<FourEyesOutcome<AccountCommandResult>> {
  const { accountId, reason } = parseInput(reasonInput, input);
  try {
    return { kind: "done", result: await unfreezeAccount(ctx, { accountId, reason }, metadata, { ...options, approved: false }) };
  } catch (error) {
    if (!(error instanceof DomainError && error.code === "APPROVAL_REQUIRED")) throw error;
  }
  const rows = await ctx.db
    .select({ account: accountSummary, name: users.name })
    .from(accountSummary)
    .leftJoin(users, eq(users.id, accountSummary.customerId))
    .where(eq(accountSummary.accountId, accountId));
  const row = rows[0];
  if (!row) throw new DomainError("ACCOUNT_NOT_FOUND", "No such account.");
  const subject: ApprovalSubject = {
    approvalId: approvalIdFor("unfreeze_account", accountId),
    kind: "unfreeze_account",
    subjectId: accountId,
    accountId,
    ownerIds: [row.account.customerId],
    amount: null,
    currency: null,
    description: `Unfreeze account ${formatAccountNumber(row.account.number)} of ${row.name ?? "a customer"} (frozen for suspected fraud)`,
  };
  return requestApproval(ctx, subject, reason, metadata);
}

export const approvalDecisionInput = z.object({
  approvalId: idSchema,
  round: z.coerce.number({ error: "This form has expired; reload the page." }).int().positive().max(1_000_000),
  decision: z.enum(["approve", "decline"], { error: "Choose Approve or Decline." }),
  reason: requiredText("Reason", 500),
});

export type ApprovalDecisionResult =
  | { readonly status: "granted" | "declined"; readonly request: ApprovalRequestedData | undefined; readonly replayed: boolean }
  | { readonly status: "refused"; readonly code: ApprovalRefusalCode; readonly message: string };

/**
 * A second admin approves or declines. Approving performs the action (the release or the unfreeze,
 * with the approver as its actor) in the same transaction as ApprovalGranted, so it happens exactly
 * when the grant does: once, however many admins press Approve at the same moment (they queue on the
 * approval stream, and the later ones find it decided). If the action cannot be done any more (the
 * transfer was rejected meanwhile) nothing is recorded and the approval stays pending, to be declined.
 * The requester, or an admin whose own money it is, is refused, and the refusal is recorded.
 */
export async function decideApprovalRequest(ctx: CommandContext, input: unknown, metadata: CommandMetadata): Promise<ApprovalDecisionResult> {
  const { approvalId, round, decision, reason } = parseInput(approvalDecisionInput, input);
  return ctx.db.transaction(async (tx) => {
    const inTx: CommandContext = { ...ctx, db: tx };
    const outcome = await handleCommand(
      tx,
      approvalAggregate,
      approvalStreamId(approvalId),
      { type: "DecideApproval", data: { decision, round, adminId: metadata.actor.id, reason } },
      { metadata, idempotency: metadata.commandId ? { scope: metadata.actor.id, key: metadata.commandId } : undefined },
    );
    const event = outcome.events[0]?.event;
    if (!event) throw new Error(`Approval ${approvalId} was decided but recorded nothing`);
    if (event.type === "ApprovalRefused") return { status: "refused", code: event.data.code, message: APPROVAL_REFUSAL_TEXT[event.data.code] };
    const request = outcome.state?.status === "None" ? undefined : outcome.state?.request;
    if (event.type === "ApprovalDeclined") return { status: "declined", request, replayed: outcome.replayed };
    if (event.type !== "ApprovalGranted") throw new Error(`Unexpected ${event.type} from a decision`);
    // A replayed grant performed its action the first time.
    if (outcome.replayed || !request) return { status: "granted", request, replayed: true };
    const actionMetadata: CommandMetadata = { ...metadata, commandId: undefined, causationId: metadata.commandId ?? approvalId };
    if (request.kind === "release_transfer") {
      await releaseHeldTransfer(inTx, { transferId: request.subjectId, reason: request.reason }, actionMetadata, { approved: true });
    } else {
      const result = await unfreezeAccount(inTx, { accountId: request.subjectId, reason: request.reason }, actionMetadata, { approved: true });
      // Not frozen any more: roll the grant back with it, the approval stays for a decline.
      if (result.outcome === "rejected") throw new DomainError("APPROVAL_NOT_PENDING", "The account is no longer frozen; decline this approval.");
    }
    return { status: "granted", request, replayed: false };
  });
}
