import { and, eq, lt, sql } from "drizzle-orm";

import { accountAggregate, type CommandContext } from "../commands/accounts";
import { inboundPaymentAggregate } from "../commands/inbound-payments";
import { inboundPaymentsView } from "../db/schema";
import { accountStreamId } from "../domain/account/decider";
import { awaitsCredit } from "../domain/inbound-payment/decider";
import { inboundPaymentStreamId, type InboundPaymentState, type RecordInboundCredit } from "../domain/inbound-payment/events";
import type { CommandMetadata } from "../domain/shared/decider";
import { handleCommand } from "../event-store/handle-command";
import { loadAggregate } from "../event-store/load";
import { log } from "../log";

const systemMetadata = (paymentId: string, step: string): CommandMetadata => ({
  now: new Date(),
  actor: { id: "inbound-payments", role: "system" },
  commandId: `${paymentId}:${step}`,
  correlationId: paymentId,
  causationId: paymentId,
  origin: "system",
});

export async function loadInboundPayment(ctx: CommandContext, paymentId: string): Promise<InboundPaymentState> {
  const spec = inboundPaymentAggregate(ctx.snapshotEvery);
  const { state } = await loadAggregate(ctx.db, {
    streamId: inboundPaymentStreamId(paymentId),
    decider: spec.decider,
    codec: spec.codec,
    snapshot: spec.snapshot,
  });
  return state;
}

/**
 * Credits a payment that waits for it: the account's `CreditTransfer` leg (its own transaction,
 * idempotent by the key inbound:<id>:credit, so it credits once however often it runs), then the
 * outcome on the payment's stream (a no-op once recorded). Dying between the two loses nothing:
 * the next run (the scheme resending the payment, the admin's release, the background loop) repeats
 * the leg, which replays its first result, and records it.
 */
export async function advanceInboundPayment(
  ctx: CommandContext,
  paymentId: string,
  fault?: (point: "after-credit") => void,
): Promise<InboundPaymentState> {
  const state = await loadInboundPayment(ctx, paymentId);
  if (!awaitsCredit(state) || !state.accountId) return state;
  const leg = await handleCommand(
    ctx.db,
    accountAggregate(ctx.snapshotEvery),
    accountStreamId(state.accountId),
    {
      type: "CreditTransfer",
      data: {
        transferId: paymentId,
        amount: state.amount,
        currency: state.currency,
        counterparty: { accountId: "external", number: state.debtor.account, name: state.debtor.name },
        reference: state.reference,
      },
    },
    { metadata: systemMetadata(paymentId, "credit"), idempotency: { scope: "inbound", key: `${paymentId}:credit` } },
  );
  fault?.("after-credit");
  const event = leg.events[0]?.event;
  const record: RecordInboundCredit =
    event?.type === "CreditRejected"
      ? { type: "RecordInboundCredit", data: { outcome: "rejected", code: event.data.code } }
      : { type: "RecordInboundCredit", data: { outcome: "credited" } };
  await handleCommand(ctx.db, inboundPaymentAggregate(ctx.snapshotEvery), inboundPaymentStreamId(paymentId), record, {
    metadata: systemMetadata(paymentId, "record-credit"),
  });
  return loadInboundPayment(ctx, paymentId);
}

/** Payments left waiting for their credit longer than `olderThanSeconds` (a crash midway), advanced now. */
export async function resumePendingInboundPayments(
  ctx: CommandContext,
  options: { olderThanSeconds?: number; limit?: number } = {},
): Promise<number> {
  const rows = await ctx.db
    .select({ paymentId: inboundPaymentsView.paymentId })
    .from(inboundPaymentsView)
    .where(
      and(
        eq(inboundPaymentsView.status, "pending"),
        lt(inboundPaymentsView.updatedAt, sql`now() - make_interval(secs => ${options.olderThanSeconds ?? 30})`),
      ),
    )
    .limit(options.limit ?? 100);
  let advanced = 0;
  for (const { paymentId } of rows) {
    try {
      await advanceInboundPayment(ctx, paymentId);
      advanced++;
    } catch (error) {
      log().warn({ event: "inbound-resume", paymentId, err: error }, "could not advance an inbound payment; it is tried again later");
    }
  }
  return advanced;
}
