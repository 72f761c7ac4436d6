import "server-only";

import { freezeAccount as freeze, unfreezeAccount as unfreeze } from "../../commands/accounts";
import { recordOperation } from "../../commands/operations";
import { rejectHeldTransfer, releaseHeldTransfer, type TransferRequestResult } from "../../commands/transfers";
import { accountStreamId } from "../../domain/account/decider";
import { readStream } from "../../event-store/read";
import { rebuildProjections as rebuild } from "../../projections/rebuild";
import { findAccount } from "../../read-models/accounts";
import { readAuditPage } from "../../read-models/audit";
import { findTransfer } from "../../read-models/transfers";
import { toApiAuditEntry, toApiStoredEvent, toApiTransfer } from "../mappers";
import { operations, type Operation } from "../operations";
import { ApiProblem } from "../problem";
import { replyOf, successReply } from "../reply";
import type { Handler } from "../route";
import { accountCommandReply } from "./accounts";
import { driveAfterResponse } from "./transfers";

// Admin operations: the route wrapper has checked the admin role; these call the same commands the
// back office does and record the admin as the actor.

const noSuchAccount = () => new ApiProblem("ACCOUNT_NOT_FOUND", "There is no such account.");
const noSuchTransfer = () => new ApiProblem("TRANSFER_NOT_FOUND", "There is no such transfer.");

export const freezeAccount: Handler<typeof operations.freezeAccount> = async ({ ctx, params, body, metadata, idempotency }) => {
  const account = await findAccount(ctx.db, params.accountId);
  if (!account) throw noSuchAccount();
  const result = await freeze(ctx, { accountId: account.accountId, category: body.category, reason: body.reason }, metadata, {
    requestHash: idempotency?.requestHash,
    reply: freezeReply,
  });
  return replyOf(result);
};

export const unfreezeAccount: Handler<typeof operations.unfreezeAccount> = async ({ ctx, params, body, metadata, idempotency }) => {
  const account = await findAccount(ctx.db, params.accountId);
  if (!account) throw noSuchAccount();
  const result = await unfreeze(ctx, { accountId: account.accountId, reason: body.reason }, metadata, {
    requestHash: idempotency?.requestHash,
    reply: unfreezeReply,
  });
  return replyOf(result);
};

const freezeReply = accountCommandReply(operations.freezeAccount);
const unfreezeReply = accountCommandReply(operations.unfreezeAccount);

export const accountEvents: Handler<typeof operations.accountEvents> = async ({ ctx, params, query }) => {
  const account = await findAccount(ctx.db, params.accountId);
  if (!account) throw noSuchAccount();
  const limit = query.limit ?? 100;
  const rows = await readStream(ctx.db, accountStreamId(account.accountId), { after: query.cursor, limit: limit + 1 });
  const page = rows.slice(0, limit);
  return {
    events: page.map(toApiStoredEvent),
    nextCursor: rows.length > limit ? (page.at(-1)?.streamPosition.toString() ?? null) : null,
  };
};

export const audit: Handler<typeof operations.audit> = async ({ ctx, query }) => {
  // The back office's own filter: an actor or account the API names by id matches as it does there.
  const page = await readAuditPage(
    ctx.db,
    { actor: query.actor, account: query.accountId, type: query.type, from: query.from, to: query.to },
    query.cursor,
    query.limit ?? 50,
  );
  return { entries: page.rows.map(({ row }) => toApiAuditEntry(row)), nextCursor: page.nextCursor?.toString() ?? null };
};

/** A review decision's answer: the transfer as the decision left it (it goes on in the background). */
const reviewReply =
  (operation: Pick<Operation, "success">, viewer: { id: string; role: string }) =>
  ({ transferId, view }: TransferRequestResult) => {
    if (!view) throw new Error(`Transfer ${transferId} was reviewed but wrote no transfers_view row`);
    return successReply(operation, { transfer: toApiTransfer(view, viewer) });
  };

export const releaseTransfer: Handler<typeof operations.releaseTransfer> = async ({ ctx, user, params, body, metadata, idempotency }) => {
  const transfer = await findTransfer(ctx.db, params.transferId);
  if (!transfer) throw noSuchTransfer();
  const result = await releaseHeldTransfer(ctx, { transferId: transfer.transferId, reason: body.reason }, metadata, {
    requestHash: idempotency?.requestHash,
    reply: reviewReply(operations.releaseTransfer, user),
  });
  driveAfterResponse(ctx, transfer.transferId);
  return replyOf(result);
};

export const rejectTransfer: Handler<typeof operations.rejectTransfer> = async ({ ctx, user, params, body, metadata, idempotency }) => {
  const transfer = await findTransfer(ctx.db, params.transferId);
  if (!transfer) throw noSuchTransfer();
  const result = await rejectHeldTransfer(ctx, { transferId: transfer.transferId, reason: body.reason }, metadata, {
    requestHash: idempotency?.requestHash,
    reply: reviewReply(operations.rejectTransfer, user),
  });
  return replyOf(result);
};

export const rebuildProjections: Handler<typeof operations.rebuildProjections> = async ({ ctx, metadata }) => {
  const report = await rebuild(ctx.db);
  await recordOperation(ctx.db, { type: "ProjectionsRebuilt", data: { events: report.events, rows: report.rows } }, metadata);
  return { events: report.events, rows: report.rows, elapsedMs: Math.round(report.elapsedMs) };
};
