import "server-only";

import { createScheme as create } from "../../auth/schemes";
import type { CommandContext } from "../../commands/accounts";
import { receiveInboundPayment as receive, releaseHeldInboundPayment, returnHeldInboundPayment } from "../../commands/inbound-payments";
import type { InboundPaymentViewRow } from "../../db/schema";
import { log } from "../../log";
import { advanceInboundPayment } from "../../process-managers/inbound-payments";
import { findInboundPayment, findSchemePayment } from "../../read-models/inbound-payments";
import type { operations } from "../operations";
import { ApiProblem } from "../problem";
import type { Handler } from "../route";

// Payment-scheme operations (the route wrapper has checked the scheme role) and their admin reviews.

const noSuchPayment = () => new ApiProblem("INBOUND_PAYMENT_NOT_FOUND", "There is no such inbound payment.");

export function toApiInboundPayment(row: InboundPaymentViewRow) {
  return {
    id: row.paymentId,
    schemePaymentId: row.schemePaymentId,
    status: row.status as "pending" | "held" | "credited" | "returned",
    accountNumber: row.accountNumber,
    amount: row.amount,
    currency: row.currency as "EUR",
    debtor: { name: row.debtorName, account: row.debtorAccount },
    reference: row.reference,
    returnCode: row.returnCode as "ACCOUNT_UNKNOWN" | null,
    returnReason: row.returnReason,
    receivedAt: row.receivedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Credits what waits for it before answering; an interruption leaves it pending for a resend or the background loop. */
async function advance(ctx: CommandContext, paymentId: string): Promise<InboundPaymentViewRow> {
  await advanceInboundPayment(ctx, paymentId).catch((error: unknown) => {
    log().warn({ event: "inbound-payments", paymentId, err: error }, "inbound payment left pending; a resend or the background loop finishes it");
  });
  const row = await findInboundPayment(ctx.db, paymentId);
  if (!row) throw noSuchPayment();
  return row;
}

export const receiveInboundPayment: Handler<typeof operations.receiveInboundPayment> = async ({ ctx, body, metadata, idempotency }) => {
  const result = await receive(ctx, body, metadata, { requestHash: idempotency?.requestHash });
  return { payment: toApiInboundPayment(await advance(ctx, result.paymentId)) };
};

export const getInboundPayment: Handler<typeof operations.getInboundPayment> = async ({ ctx, user, params }) => {
  const row = await findSchemePayment(ctx.db, user.id, params.schemePaymentId ?? "");
  if (!row) throw noSuchPayment();
  return { payment: toApiInboundPayment(row) };
};

export const releaseInboundPayment: Handler<typeof operations.releaseInboundPayment> = async ({ ctx, params, body, metadata, idempotency }) => {
  const row = await findInboundPayment(ctx.db, params.paymentId);
  if (!row) throw noSuchPayment();
  await releaseHeldInboundPayment(ctx, { paymentId: row.paymentId, reason: body.reason }, metadata, { requestHash: idempotency?.requestHash });
  return { payment: toApiInboundPayment(await advance(ctx, row.paymentId)) };
};

export const returnInboundPayment: Handler<typeof operations.returnInboundPayment> = async ({ ctx, params, body, metadata, idempotency }) => {
  const row = await findInboundPayment(ctx.db, params.paymentId);
  if (!row) throw noSuchPayment();
  await returnHeldInboundPayment(ctx, { paymentId: row.paymentId, reason: body.reason }, metadata, { requestHash: idempotency?.requestHash });
  return { payment: toApiInboundPayment((await findInboundPayment(ctx.db, row.paymentId)) ?? row) };
};

export const createScheme: Handler<typeof operations.createScheme> = async ({ ctx, body, metadata }) => {
  const { scheme, token, expiresAt } = await create(ctx.db, { name: body.name }, metadata.actor, "api");
  return { scheme: { id: scheme.id, name: scheme.name }, token, expiresAt: expiresAt.toISOString() };
};
