import "server-only";

import { after } from "next/server";

import type { CommandContext } from "../../commands/accounts";
import { requestTransfer as recordTransferRequest, type TransferRequestInput } from "../../commands/transfers";
import { log } from "../../log";
import { driveTransfer } from "../../process-managers/transfer-runner";
import { decodeTransferCursor, findTransferFor, readTransferPage } from "../../read-models/transfers";
import { toApiTransfer } from "../mappers";
import { operations } from "../operations";
import { ApiProblem } from "../problem";
import { replyOf, successReply } from "../reply";
import type { Handler } from "../route";
import { ownedAccount } from "./accounts";

export const transferNotFound = () => new ApiProblem("TRANSFER_NOT_FOUND", "There is no such transfer of yours.");

/** Advances a transfer as far as it goes now; if that fails, the background runner or cron finishes it. */
export async function driveNow(ctx: CommandContext, transferId: string): Promise<void> {
  await driveTransfer({ ctx, runnerId: `api-${process.pid}` }, transferId).catch((error: unknown) => {
    log().warn({ event: "transfer-runner", transferId, err: error }, "transfer left for the background runner");
  });
}

/**
 * Drives the transfer once the response has gone (Next's `after`, which serverless platforms keep
 * alive for): the answer is the transfer as its request recorded it, the same bytes every retry
 * gets, and nobody waits for the steps. Outside a request (tests calling the handler) it just runs.
 */
export function driveAfterResponse(ctx: CommandContext, transferId: string): void {
  const drive = () => driveNow(ctx, transferId);
  try {
    after(drive);
  } catch {
    void drive();
  }
}

export const requestTransfer: Handler<typeof operations.requestTransfer> = async ({ ctx, user, body, metadata, idempotency }) => {
  // Paying from an account that is not yours: not found, exactly as for one that does not exist.
  await ownedAccount(ctx.db, user.id, body.fromAccountId);
  const input: TransferRequestInput = {
    fromAccountId: body.fromAccountId,
    toAccountNumber: body.toAccountNumber,
    toIban: body.toIban,
    payeeName: body.payeeName,
    amount: body.amount,
    reference: body.reference,
  };
  const result = await recordTransferRequest(ctx, input, metadata, {
    requestHash: idempotency?.requestHash,
    reply: ({ transferId, view }) => {
      if (!view) throw new Error(`Transfer ${transferId} was requested but wrote no transfers_view row`);
      return successReply(operations.requestTransfer, { transfer: toApiTransfer(view, user) });
    },
  });
  // A replay drives too: the first attempt may have died before its transfer moved.
  driveAfterResponse(ctx, result.transferId);
  return replyOf(result);
};

export const getTransfer: Handler<typeof operations.getTransfer> = async ({ ctx, user, params }) => {
  const row = await findTransferFor(ctx.db, user.id, params.transferId);
  if (!row) throw transferNotFound();
  return { transfer: toApiTransfer(row, user) };
};

export const listTransfers: Handler<typeof operations.listTransfers> = async ({ ctx, user, query }) => {
  if (query.accountId !== undefined) await ownedAccount(ctx.db, user.id, query.accountId);
  const before = query.cursor === undefined ? undefined : decodeTransferCursor(query.cursor);
  if (query.cursor !== undefined && !before) {
    throw new ApiProblem("VALIDATION_FAILED", "The query string has problems; see errors.", {
      errors: [{ field: "cursor", message: "This is not a cursor this API gave out." }],
    });
  }
  const page = await readTransferPage(ctx.db, user.id, { accountId: query.accountId, limit: query.limit ?? 50, before });
  return { transfers: page.rows.map((row) => toApiTransfer(row, user)), nextCursor: page.nextCursor };
};
