import "server-only";

import { confirmPayee as lookUp, deletePayee as removePayee, renamePayee as rename, addPayee as savePayee } from "../../commands/payees";
import { decodePayeeCursor, readPayeePage, toPayeeDto } from "../../read-models/payees";
import type { operations } from "../operations";
import { ApiProblem } from "../problem";
import type { Handler } from "../route";

const payeeNotFound = () => new ApiProblem("PAYEE_NOT_FOUND", "There is no such payee of yours.");
const badCursor = () =>
  new ApiProblem("VALIDATION_FAILED", "The query string has problems; see errors.", {
    errors: [{ field: "cursor", message: "This is not a cursor this API gave out." }],
  });

export const confirmPayee: Handler<typeof operations.confirmPayee> = async ({ ctx, query }) => {
  const confirmation = await lookUp(ctx.db, { accountNumber: query.accountNumber });
  return { confirmation: { ...confirmation, currency: confirmation.currency as never } };
};

export const addPayee: Handler<typeof operations.addPayee> = async ({ ctx, user, body, metadata }) => {
  const row = await savePayee(ctx.db, user, body, metadata);
  return { payee: toPayeeDto(row) };
};

export const listPayees: Handler<typeof operations.listPayees> = async ({ ctx, user, query }) => {
  const after = query.cursor === undefined ? undefined : decodePayeeCursor(query.cursor);
  if (query.cursor !== undefined && !after) throw badCursor();
  const page = await readPayeePage(ctx.db, user.id, { limit: query.limit ?? 50, after });
  return { payees: page.rows.map(toPayeeDto), nextCursor: page.nextCursor };
};

export const renamePayee: Handler<typeof operations.renamePayee> = async ({ ctx, user, body, params, metadata }) => {
  const row = await rename(ctx.db, user, { payeeId: params.payeeId, name: body.name }, metadata).catch((error: unknown) => {
    // A malformed id is simply no payee of yours.
    if ((error as { fieldErrors?: Record<string, unknown> }).fieldErrors?.payeeId) return undefined;
    throw error;
  });
  if (!row) throw payeeNotFound();
  return { payee: toPayeeDto(row) };
};

export const deletePayee: Handler<typeof operations.deletePayee> = async ({ ctx, user, params, metadata }) => {
  const gone = await removePayee(ctx.db, user, { payeeId: params.payeeId }, metadata).catch((error: unknown) => {
    if ((error as { fieldErrors?: Record<string, unknown> }).fieldErrors?.payeeId) return false;
    throw error;
  });
  if (!gone) throw payeeNotFound();
};
