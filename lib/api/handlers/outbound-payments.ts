import "server-only";

import type { CommandContext } from "../../commands/accounts";
import { answerOutboundPayment } from "../../commands/transfers";
import type { TransferViewRow } from "../../db/schema";
import { findOutboundPayment, listPendingOutboundPayments } from "../../read-models/transfers";
import type { operations } from "../operations";
import { ApiProblem } from "../problem";
import type { Handler } from "../route";
import { driveNow } from "./transfers";

// The scheme's side of payments to other banks (the route wrapper has checked the scheme role).

const noSuchPayment = () => new ApiProblem("OUTBOUND_PAYMENT_NOT_FOUND", "There is no such outbound payment.");

function schemeStatus(row: TransferViewRow): "sent" | "settled" | "returned" | "pending" {
  if (row.status === "sent") return "sent";
  if (row.failureStep === "scheme") return "returned";
  if (row.schemeReference !== null || row.steps.some((step) => step.step === "settled")) return "settled";
  return "pending";
}

export function toApiOutboundPayment(row: TransferViewRow) {
  return {
    id: row.transferId,
    status: schemeStatus(row),
    amount: row.amount,
    currency: row.currency,
    debtor: { name: row.fromName, account: row.fromNumber },
    creditor: { name: row.toName, iban: row.toNumber },
    reference: row.reference,
    schemeReference: row.schemeReference,
    returnReason: row.failureStep === "scheme" ? row.failureReason : null,
    requestedAt: row.requestedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function current(ctx: CommandContext, transferId: string): Promise<TransferViewRow> {
  const row = await findOutboundPayment(ctx.db, transferId);
  if (!row) throw noSuchPayment();
  return row;
}

export const listOutboundPayments: Handler<typeof operations.listOutboundPayments> = async ({ ctx, query }) => {
  const limit = query.limit ?? 50;
  const rows = await listPendingOutboundPayments(ctx.db, { after: query.after, limit: limit + 1 });
  const page = rows.slice(0, limit);
  return { payments: page.map(toApiOutboundPayment), nextAfter: rows.length > limit ? (page.at(-1)?.transferId ?? null) : null };
};

export const getOutboundPayment: Handler<typeof operations.getOutboundPayment> = async ({ ctx, params }) => ({
  payment: toApiOutboundPayment(await current(ctx, params.transferId ?? "")),
});

/**
 * Records the scheme's answer, then takes the account's step (capture or release) before answering;
 * if that is interrupted, the background runner or the cron route takes it.
 */
async function answer(
  ctx: CommandContext,
  kind: "settle" | "return",
  transferId: string,
  body: object,
  metadata: Parameters<typeof answerOutboundPayment>[3],
) {
  await current(ctx, transferId);
  await answerOutboundPayment(ctx, kind, { ...body, transferId }, metadata);
  await driveNow(ctx, transferId);
  return { payment: toApiOutboundPayment(await current(ctx, transferId)) };
}

export const settleOutboundPayment: Handler<typeof operations.settleOutboundPayment> = async ({ ctx, params, body, metadata }) =>
  answer(ctx, "settle", params.transferId ?? "", body, metadata);

export const returnOutboundPayment: Handler<typeof operations.returnOutboundPayment> = async ({ ctx, params, body, metadata }) =>
  answer(ctx, "return", params.transferId ?? "", body, metadata);
