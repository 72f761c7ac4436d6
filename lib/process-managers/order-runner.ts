import { sql } from "drizzle-orm";

import type { CommandContext } from "../commands/accounts";
import { createdId } from "../commands/ids";
import { orderAggregate } from "../commands/orders";
import { requestTransfer } from "../commands/transfers";
import { rowsOf } from "../db/client";
import { orderStreamId } from "../domain/order/events";
import type { CommandMetadata } from "../domain/shared/decider";
import type { ValidationError } from "../domain/shared/errors";
import { handleCommand } from "../event-store/handle-command";
import { log } from "../log";

export type OrderRunReport = { ordersStarted: number; ordersFailed: number; orderErrors: number };

/** Test hook: throw here to make the runner die after the order moved on, before the transfer was asked for (in the same transaction). */
export type OrderFault = (orderId: string, dueAt: string) => void;

/** The command id of an order's payment on one date: the transfer's id is derived from it (and the owner). */
export const orderPaymentCommandId = (orderId: string, dueAt: string) => `order:${orderId}:${dueAt}`;

const metadataFor = (ownerId: string, orderId: string, dueAt: string, now: Date): CommandMetadata => ({
  now,
  // The payment is the owner's (their order, their money): the transfer is requested in their name.
  actor: { id: ownerId, role: "customer" },
  commandId: orderPaymentCommandId(orderId, dueAt),
  correlationId: orderId,
  causationId: orderId,
  origin: "system",
});

/**
 * Claims one due order (FOR UPDATE SKIP LOCKED, so concurrent runners take different orders) and,
 * in the same transaction, records the payment on the order and requests its transfer. Exactly
 * once per due date comes from the database, not from the claim: the order stream's lock and the
 * decider's check that the date is still the next one make a repeat a no-op, and the transfer's id
 * is derived from (owner, order id, due date), so even a second request would meet the first
 * transfer. A payment that cannot be requested (the payee's account is gone) is recorded as
 * failed in a transaction of its own, and the order goes on to its next date.
 */
type Outcome = "started" | "failed" | "none" | "skipped" | "error";

async function runOne(ctx: CommandContext, now: Date, passed: Set<string>, fault?: OrderFault): Promise<Outcome> {
  const outcome = await tryOne(ctx, now, passed, fault);
  // An order that changed under this run, or failed unexpectedly, is left to the next run, so one
  // bad order cannot hold up the others.
  if (outcome.orderId !== undefined && (outcome.result === "skipped" || outcome.result === "error")) passed.add(outcome.orderId);
  return outcome.result;
}

async function tryOne(ctx: CommandContext, now: Date, passed: Set<string>, fault?: OrderFault): Promise<{ result: Outcome; orderId?: string }> {
  let claimed: { orderId: string; dueAt: string } | undefined;
  const skip = `{${[...passed].join(",")}}`;
  try {
    return await ctx.db.transaction(async (tx) => {
      const rows = rowsOf<{ order_id: string; owner_id: string; next_due_at: Date | string }>(
        await tx.execute(sql`select order_id, owner_id, next_due_at from standing_orders
           where status = 'active' and next_due_at <= ${now.toISOString()}::timestamptz and order_id <> all (${skip}::text[])
           order by next_due_at limit 1 for update skip locked`),
      );
      const row = rows[0];
      if (!row) return { result: "none" as const };
      const dueAt = new Date(row.next_due_at).toISOString();
      claimed = { orderId: row.order_id, dueAt };
      return { result: await startPayment({ ...ctx, db: tx }, row.order_id, row.owner_id, dueAt, now, fault), orderId: row.order_id };
    });
  } catch (error) {
    if (!claimed) throw error;
    // By its code, not instanceof: Next may load the error's class once per bundle.
    if (!isValidationError(error)) {
      // Rolled back, so nothing was made: the order is still due and the next run tries it again.
      log().error(
        { event: "order-runner", orderId: claimed.orderId, dueAt: claimed.dueAt, err: error },
        "an order's payment failed; it is tried again on the next run",
      );
      return { result: "error", orderId: claimed.orderId };
    }
    const reason = Object.values(error.fieldErrors).flat()[0] ?? error.message;
    return { result: await recordFailure(ctx, claimed.orderId, claimed.dueAt, reason, now), orderId: claimed.orderId };
  }
}

async function startPayment(
  ctx: CommandContext,
  orderId: string,
  ownerId: string,
  dueAt: string,
  now: Date,
  fault?: OrderFault,
): Promise<"started" | "skipped"> {
  const metadata = metadataFor(ownerId, orderId, dueAt, now);
  const transferId = createdId("transfer", metadata);
  const outcome = await handleCommand(
    ctx.db,
    orderAggregate(ctx.snapshotEvery),
    orderStreamId(orderId),
    { type: "StartDuePayment", data: { dueAt, transferId, now: now.toISOString() } },
    { metadata: { ...metadata, actor: { id: "order-runner", role: "system" }, commandId: undefined } },
  );
  const state = outcome.state;
  if (outcome.events.length === 0 || !state || state.status === "None") return "skipped";
  fault?.(orderId, dueAt);
  await requestTransfer(
    ctx,
    { fromAccountId: state.fromAccountId, toAccountNumber: state.payee.accountNumber, amount: state.amount, reference: state.reference ?? undefined },
    metadata,
  );
  return "started";
}

async function recordFailure(ctx: CommandContext, orderId: string, dueAt: string, reason: string, now: Date): Promise<"failed" | "skipped"> {
  const outcome = await handleCommand(
    ctx.db,
    orderAggregate(ctx.snapshotEvery),
    orderStreamId(orderId),
    { type: "FailDuePayment", data: { dueAt, reason: reason.slice(0, 500), now: now.toISOString() } },
    { metadata: { now, actor: { id: "order-runner", role: "system" }, origin: "system", correlationId: orderId } },
  );
  if (outcome.events.length === 0) return "skipped";
  log().warn({ event: "order-payment-failed", orderId, dueAt, reason }, "an order's payment could not be requested");
  return "failed";
}

/**
 * Makes every payment that is due by `now`, one order per transaction, until none is left or
 * `maxMs` has passed. Any number of runners (instances, the background loop, the cron route) may
 * run at once.
 */
export async function runDueOrders(ctx: CommandContext, options: { maxMs: number; now?: () => Date; fault?: OrderFault }): Promise<OrderRunReport> {
  const report: OrderRunReport = { ordersStarted: 0, ordersFailed: 0, orderErrors: 0 };
  const deadline = Date.now() + options.maxMs;
  // Orders this run found nothing to do on (changed under it): not claimed again in this run.
  const passed = new Set<string>();
  while (Date.now() < deadline) {
    const outcome = await runOne(ctx, options.now?.() ?? new Date(), passed, options.fault);
    if (outcome === "none") break;
    if (outcome === "started") report.ordersStarted++;
    if (outcome === "failed") report.ordersFailed++;
    if (outcome === "error") report.orderErrors++;
  }
  return report;
}

const isValidationError = (error: unknown): error is ValidationError =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === "VALIDATION_FAILED" && "fieldErrors" in error;
