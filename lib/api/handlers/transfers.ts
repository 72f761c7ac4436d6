import "server-only";
import { requestTransfer as recordTransferRequest, type TransferRequestInput } from "../../commands/transfers";
import type { CommandContext } from "../../commands/accounts";
import { driveTransfer } from "../../process-managers/transfer-runner";
import { findTransfer, findTransferFor, listTransfersFor } from "../../read-models/transfers";
import { toApiTransfer } from "../mappers";
import type { operations } from "../operations";
import { ApiProblem } from "../problem";
import type { Handler } from "../route";
import { ownedAccount } from "./accounts";
import { log } from "../../log";

export const transferNotFound = () => new ApiProblem("TRANSFER_NOT_FOUND", "There is no such transfer of yours.");

/** Advances a transfer as far as it goes now; if that fails, the background runner or cron finishes it. */
export async function driveNow(ctx: CommandContext, transferId: string): Promise<void> {
  await driveTransfer({ ctx, runnerId: `api-${process.pid}` }, transferId).catch((error: unknown) => {
    log().warn({ event: "transfer-runner", transferId, err: error }, "transfer left for the background runner");
  });
}

export const requestTransfer: Handler<typeof operations.requestTransfer> = async ({ ctx, user, body, metadata }) => {
  // Paying from an account that is not yours: not found, exactly as for one that does not exist.
  await ownedAccount(ctx.db, user.id, body.fromAccountId);
  const input: TransferRequestInput = {
    fromAccountId: body.fromAccountId,
    toAccountNumber: body.toAccountNumber,
    amount: body.amount,
    reference: body.reference,
  };
  const { transferId } = await recordTransferRequest(ctx, input, metadata);
  await driveNow(ctx, transferId);
  const row = await findTransfer(ctx.db, transferId);
  if (!row) throw new Error(`Transfer ${transferId} was requested but is not in transfers_view`);
  return { transfer: toApiTransfer(row, user) };
};

export const getTransfer: Handler<typeof operations.getTransfer> = async ({ ctx, user, params }) => {
  const row = await findTransferFor(ctx.db, user.id, params.transferId);
  if (!row) throw transferNotFound();
  return { transfer: toApiTransfer(row, user) };
};

/** Opaque keyset cursor: the last row's (requestedAt, transferId). */
const encodeCursor = (requestedAt: Date, transferId: string) => Buffer.from(`${requestedAt.toISOString()}|${transferId}`).toString("base64url");

function decodeCursor(cursor: string): { requestedAt: Date; transferId: string } {
  const [at, transferId] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const requestedAt = new Date(at ?? "");
  if (!transferId || Number.isNaN(requestedAt.getTime())) {
    throw new ApiProblem("VALIDATION_FAILED", "The query string has problems; see errors.", {
      errors: [{ field: "cursor", message: "This is not a cursor this API gave out." }],
    });
  }
  return { requestedAt, transferId };
}

export const listTransfers: Handler<typeof operations.listTransfers> = async ({ ctx, user, query }) => {
  if (query.accountId !== undefined) await ownedAccount(ctx.db, user.id, query.accountId);
  const limit = query.limit ?? 50;
  const rows = await listTransfersFor(ctx.db, user.id, {
    accountId: query.accountId,
    limit: limit + 1,
    before: query.cursor ? decodeCursor(query.cursor) : undefined,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    transfers: page.map((row) => toApiTransfer(row, user)),
    nextCursor: rows.length > limit && last ? encodeCursor(last.requestedAt, last.transferId) : null,
  };
};
