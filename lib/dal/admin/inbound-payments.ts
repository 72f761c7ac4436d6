import "server-only";

import { releaseHeldInboundPayment, returnHeldInboundPayment } from "../../commands/inbound-payments";
import { database } from "../../db";
import { formatMoney } from "../../domain/shared/money";
import { log } from "../../log";
import { advanceInboundPayment } from "../../process-managers/inbound-payments";
import { findInboundPayment, readHeldInboundPayments, type HeldInboundPaymentDto } from "../../read-models/inbound-payments";
import { commandContext } from "../context";
import { adminFormCommand, FormRefusal, formValues } from "../form";
import { requireAdminUser, UUID } from "./access";

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
  const { paymentId, decision, reason } = formValues(formData, ["paymentId", "decision", "reason"]);
  const outcome = await adminFormCommand(formData, {
    // A second decision on the same payment is refused by the payment itself (no longer held).
    commandId: "none",
    refusals: { INBOUND_PAYMENT_NOT_HELD: "This payment is no longer held: it was already released or returned." },
    async run({ metadata }) {
      if (!UUID.test(paymentId)) throw new FormRefusal("Payment not found.");
      if (decision !== "release" && decision !== "return") throw new FormRefusal("Choose Release or Return.");
      const ctx = await commandContext();
      const row = await findInboundPayment(ctx.db, paymentId);
      if (!row) throw new FormRefusal("Payment not found.");
      const what = `${formatMoney(row.amount, row.currency)} from ${row.debtorName}`;
      if (decision === "return") {
        await returnHeldInboundPayment(ctx, { paymentId, reason }, metadata);
        return `Returned the payment of ${what} to the scheme. Nothing was credited.`;
      }
      await releaseHeldInboundPayment(ctx, { paymentId, reason }, metadata);
      const state = await advanceInboundPayment(ctx, paymentId).catch((error: unknown) => {
        log().warn({ event: "inbound-payments", paymentId, err: error }, "released payment left for the background loop");
        return undefined;
      });
      if (state?.status === "Credited") return `Released the payment of ${what}. It was credited.`;
      if (state?.status === "Returned") return `Released the payment of ${what}, but it was returned: ${state.returned.reason}`;
      return `Released the payment of ${what}. It will be credited in the background.`;
    },
  });
  if (outcome.ok) return { status: "success", paymentId, message: outcome.value };
  return outcome.kind === "invalid"
    ? { status: "invalid", paymentId, fieldErrors: { reason: outcome.fieldErrors.reason }, values: { reason } }
    : { status: "error", paymentId, message: outcome.message };
}
