import "server-only";

import type { CommandContext } from "../../commands/accounts";
import {
  cancelOrder as cancel,
  createOrder as create,
  editOrder as edit,
  pauseOrder as pause,
  resumeOrder as resume,
  type OrderResult,
} from "../../commands/orders";
import { isUuid } from "../../read-models/accounts";
import { decodeOrderCursor, findOrderFor, orderPaymentsFor, readOrderPage, toOrderDto } from "../../read-models/orders";
import { operations, type Operation } from "../operations";
import { ApiProblem } from "../problem";
import { replyOf, successReply } from "../reply";
import type { Handler, HandlerInput } from "../route";

/** The API writes amounts as integers of minor units (the portal's DTO carries them as text). */
const toApiOrder = (row: Parameters<typeof toOrderDto>[0]) => ({ ...toOrderDto(row), amount: row.amount });

const orderNotFound = () => new ApiProblem("ORDER_NOT_FOUND", "There is no such order of yours.");

/** The answer kept with the key: the order as the command's inline projection wrote it. */
const replyWith =
  (operation: Operation) =>
  ({ orderId, row }: OrderResult) => {
    if (!row) throw new Error(`Order ${orderId} changed but wrote no standing_orders row`);
    return successReply(operation, { order: toApiOrder(row) });
  };

export const createOrder: Handler<typeof operations.createOrder> = async ({ ctx, user, body, metadata, idempotency }) => {
  const result = await create(ctx, user, body, metadata, { requestHash: idempotency?.requestHash, reply: replyWith(operations.createOrder) });
  return replyOf(result);
};

export const listOrders: Handler<typeof operations.listOrders> = async ({ ctx, user, query }) => {
  const before = query.cursor === undefined ? undefined : decodeOrderCursor(query.cursor);
  if (query.cursor !== undefined && !before) {
    throw new ApiProblem("VALIDATION_FAILED", "The query string has problems; see errors.", {
      errors: [{ field: "cursor", message: "This is not a cursor this API gave out." }],
    });
  }
  const page = await readOrderPage(ctx.db, user.id, { limit: query.limit ?? 50, before });
  return { orders: page.rows.map(toApiOrder), nextCursor: page.nextCursor };
};

export const getOrder: Handler<typeof operations.getOrder> = async ({ ctx, user, params }) => {
  const row = await findOrderFor(ctx.db, user.id, params.orderId);
  if (!row) throw orderNotFound();
  return { order: toApiOrder(row), payments: await orderPaymentsFor(ctx.db, user.id, row.orderId) };
};

type Change = (
  ctx: CommandContext,
  owner: { id: string },
  input: unknown,
  metadata: HandlerInput<Operation>["metadata"],
  options: Parameters<typeof pause>[4],
) => Promise<OrderResult>;

/**
 * Someone else's order, or a malformed id, is not found (the command's guard says the same). A
 * change that changes nothing (pausing a paused order) writes no event, so the answer is the order
 * as it stands, read after the command (also on a replay of the key).
 */
async function change(run: Change, input: HandlerInput<Operation> & { body: unknown }) {
  const { ctx, user, params, metadata, idempotency } = input;
  if (!isUuid(params.orderId) || !user) throw orderNotFound();
  const body = (input.body ?? {}) as Record<string, unknown>;
  const result = await run(ctx, user, { ...body, orderId: params.orderId }, metadata, { requestHash: idempotency?.requestHash });
  const row = await findOrderFor(ctx.db, user.id, result.orderId);
  if (!row) throw orderNotFound();
  return { order: toApiOrder(row) };
}

export const editOrder: Handler<typeof operations.editOrder> = (input) => change(edit, input as never);
export const pauseOrder: Handler<typeof operations.pauseOrder> = (input) => change(pause, input as never);
export const resumeOrder: Handler<typeof operations.resumeOrder> = (input) => change(resume, input as never);
export const cancelOrder: Handler<typeof operations.cancelOrder> = (input) => change(cancel, input as never);
