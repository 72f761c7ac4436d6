import "server-only";
import { releaseHeldInboundPayment, returnHeldInboundPayment } from "../../commands/inbound-payments";
import { database } from "../../db";
import { DomainError, ValidationError } from "../../domain/shared/errors";
import { formatMoney } from "../../domain/shared/money";
import { log } from "../../log";
import { advanceInboundPayment } from "../../process-managers/inbound-payments";
import { findInboundPayment, type HeldInboundPaymentDto, readHeldInboundPayments } from "../../read-models/inbound-payments";
import { commandContext } from "../context";
import { adminMetadata, currentAdmin, formText, NOT_AN_ADMIN_MESSAGE, requireAdminUser, UUID } from "./access";

export type { HeldInboundPaymentDto } from "../../read-models/inbound-payments";

/** Payments from a scheme waiting for an admin, oldest first. */
export async function listHeldInboundPayments(limit = 200): Promise<HeldInboundPaymentDto[]> {
  await requireAdminUser();
  const { db } = await database();
  return readHeldInboundPayments(db, limit);
}

export type InboundReviewState = {
  status: "idle" | "success" | "invalid" | "error";
  message?: string;
  paymentId?: string;
  fieldErrors?: { reason?: string[] };
  values?: { reason: string };
};

/** Releases (then credits at once) or returns a held inbound payment, with a reason. */
export async function submitInboundReview(formData: FormData): Promise<InboundReviewState> {
  const admin = await currentAdmin();
  if (!admin) return { status: "error", message: NOT_AN_ADMIN_MESSAGE };
  const paymentId = formText(formData, "paymentId");
  const decision = formText(formData, "decision");
  const reason = formText(formData, "reason");
  if (!UUID.test(paymentId)) return { status: "error", message: "Payment not found." };
  if (decision !== "release" && decision !== "return") return { status: "error", paymentId, message: "Choose Release or Return." };
  const ctx = await commandContext();
  const row = await findInboundPayment(ctx.db, paymentId);
  if (!row) return { status: "error", message: "Payment not found." };
  const what = `${formatMoney(row.amount, row.currency)} from ${row.debtorName}`;
  try {
    if (decision === "return") {
      await returnHeldInboundPayment(ctx, { paymentId, reason }, await adminMetadata(admin));
      return { status: "success", paymentId, message: `Returned the payment of ${what} to the scheme. Nothing was credited.` };
    }
    await releaseHeldInboundPayment(ctx, { paymentId, reason }, await adminMetadata(admin));
    const state = await advanceInboundPayment(ctx, paymentId).catch((error: unknown) => {
      log().warn({ event: "inbound-payments", paymentId, err: error }, "released payment left for the background loop");
      return undefined;
    });
    if (state?.status === "Credited") return { status: "success", paymentId, message: `Released the payment of ${what}. It was credited.` };
    if (state?.status === "Returned") {
      return { status: "success", paymentId, message: `Released the payment of ${what}, but it was returned: ${state.returned.reason}` };
    }
    return { status: "success", paymentId, message: `Released the payment of ${what}. It will be credited in the background.` };
  } catch (error) {
    if (error instanceof ValidationError) return { status: "invalid", paymentId, fieldErrors: { reason: error.fieldErrors.reason }, values: { reason } };
    if (error instanceof DomainError && error.code === "INBOUND_PAYMENT_NOT_HELD") {
      return { status: "error", paymentId, message: "This payment is no longer held: it was already released or returned." };
    }
    throw error;
  }
}
