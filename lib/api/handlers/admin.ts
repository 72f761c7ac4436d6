import "server-only";
import { freezeAccount as freeze, unfreezeAccount as unfreeze } from "../../commands/accounts";
import { rejectHeldTransfer, releaseHeldTransfer } from "../../commands/transfers";
import { accountStreamId } from "../../domain/account/decider";
import { readStream } from "../../event-store/read";
import { recordOperation } from "../../commands/operations";
import { rebuildProjections as rebuild } from "../../projections/rebuild";
import { findAccount } from "../../read-models/accounts";
import { auditBounds, readAuditPage } from "../../read-models/audit";
import { findTransfer } from "../../read-models/transfers";
import { toApiAuditEntry, toApiStoredEvent, toApiTransfer } from "../mappers";
import type { operations } from "../operations";
import { ApiProblem } from "../problem";
import type { Handler } from "../route";
import { accountCommandAnswer } from "./accounts";
import { driveNow } from "./transfers";

// Admin operations: the route wrapper has checked the admin role; these call the same commands the
// back office does and record the admin as the actor.

const noSuchAccount = () => new ApiProblem("ACCOUNT_NOT_FOUND", "There is no such account.");
const noSuchTransfer = () => new ApiProblem("TRANSFER_NOT_FOUND", "There is no such transfer.");

export const freezeAccount: Handler<typeof operations.freezeAccount> = async ({ ctx, params, body, metadata }) => {
  const account = await findAccount(ctx.db, params.accountId);
  if (!account) throw noSuchAccount();
  const result = await freeze(ctx, { accountId: account.accountId, category: body.category, reason: body.reason }, metadata);
  return accountCommandAnswer(ctx.db, result);
};

export const unfreezeAccount: Handler<typeof operations.unfreezeAccount> = async ({ ctx, params, body, metadata }) => {
  const account = await findAccount(ctx.db, params.accountId);
  if (!account) throw noSuchAccount();
  const result = await unfreeze(ctx, { accountId: account.accountId, reason: body.reason }, metadata);
  return accountCommandAnswer(ctx.db, result);
};

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
  const { from, to } = auditBounds(query.from, query.to);
  const page = await readAuditPage(
    ctx.db,
    { actorId: query.actor, accountId: query.accountId, eventType: query.type, from, to },
    query.cursor,
    query.limit ?? 50,
  );
  return { entries: page.rows.map(toApiAuditEntry), nextCursor: page.nextCursor?.toString() ?? null };
};

export const releaseTransfer: Handler<typeof operations.releaseTransfer> = async ({ ctx, user, params, body, metadata }) => {
  const transfer = await findTransfer(ctx.db, params.transferId);
  if (!transfer) throw noSuchTransfer();
  await releaseHeldTransfer(ctx, { transferId: transfer.transferId, reason: body.reason }, metadata);
  await driveNow(ctx, transfer.transferId);
  const row = await findTransfer(ctx.db, transfer.transferId);
  if (!row) throw noSuchTransfer();
  return { transfer: toApiTransfer(row, user) };
};

export const rejectTransfer: Handler<typeof operations.rejectTransfer> = async ({ ctx, user, params, body, metadata }) => {
  const transfer = await findTransfer(ctx.db, params.transferId);
  if (!transfer) throw noSuchTransfer();
  await rejectHeldTransfer(ctx, { transferId: transfer.transferId, reason: body.reason }, metadata);
  const row = await findTransfer(ctx.db, transfer.transferId);
  if (!row) throw noSuchTransfer();
  return { transfer: toApiTransfer(row, user) };
};

export const rebuildProjections: Handler<typeof operations.rebuildProjections> = async ({ ctx, metadata }) => {
  const report = await rebuild(ctx.db);
  await recordOperation(ctx.db, { type: "ProjectionsRebuilt", data: { events: report.events, rows: report.rows } }, metadata);
  return { events: report.events, rows: report.rows, elapsedMs: Math.round(report.elapsedMs) };
};
