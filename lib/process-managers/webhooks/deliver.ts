import { and, eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { type Database, rowsOf } from "../../db/client";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../db/schema";
import { sendWebhook, type SendOptions } from "./send";

/** How long a worker's claim on a delivery lasts; a worker that dies loses it after this. */
const LEASE_MS = 60_000;

/** Wait before retry n (1 = after the first failure): 30 s doubling, at most 12 hours; stopped after three days. */
export const retryDelayMs = (failures: number): number => Math.min(30_000 * 2 ** Math.max(0, failures - 1), 12 * 3_600_000);

export type DeliveryWorkerOptions = SendOptions & {
  readonly workerId: string;
  /** The clock (tests move it forward to reach the retry schedule). */
  readonly now?: () => Date;
  readonly batch?: number;
  readonly maxMs?: number;
  /** How long a claim lasts before another worker may take the delivery over (default 60 s). */
  readonly leaseMs?: number;
};

export type DeliveryReport = { readonly attempted: number; readonly delivered: number; readonly failed: number; readonly gaveUp: number };

type Claimed = {
  id: string;
  endpoint_id: string;
  payload: string;
  attempts: number;
  give_up_at: unknown;
  recorded_at: unknown;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_until: unknown;
};

/**
 * Claims due deliveries and sends them. A delivery is due when it is pending, its next attempt time
 * has come, nobody holds a live lease on it, its endpoint is active, and no earlier delivery of the
 * same stream to the same endpoint is still pending: an endpoint gets a stream's events in order.
 * Claims are leases taken with FOR UPDATE SKIP LOCKED, so any number of workers on any instances
 * share the work; a worker that dies mid-send lets its lease expire and the delivery goes again
 * with the same webhook-id (at least once; receivers de-duplicate on it).
 */
export async function deliverDueWebhooks(db: Database, options: DeliveryWorkerOptions): Promise<DeliveryReport> {
  const clock = options.now ?? (() => new Date());
  const deadline = Date.now() + (options.maxMs ?? 10_000);
  const report = { attempted: 0, delivered: 0, failed: 0, gaveUp: 0 };
  for (;;) {
    const now = clock();
    const claimed = rowsOf<Claimed>(
      await db.execute(sql`
        with due as (
          select d.id from webhook_deliveries d join webhook_endpoints w on w.id = d.endpoint_id and w.status = 'active'
          where d.status = 'pending' and d.next_attempt_at <= ${now.toISOString()}::timestamptz
            and (d.claimed_until is null or d.claimed_until < ${now.toISOString()}::timestamptz)
            and not exists (select 1 from webhook_deliveries e where e.endpoint_id = d.endpoint_id and e.stream_id = d.stream_id
                            and e.stream_position < d.stream_position and e.status = 'pending')
          order by d.next_attempt_at, d.global_position
          limit ${options.batch ?? 50}
          for update of d skip locked)
        update webhook_deliveries d set claimed_by = ${options.workerId},
          claimed_until = ${new Date(now.getTime() + (options.leaseMs ?? LEASE_MS)).toISOString()}::timestamptz
        from due, webhook_endpoints w
        where d.id = due.id and w.id = d.endpoint_id
        returning d.id, d.endpoint_id, d.payload, d.attempts, d.give_up_at, d.recorded_at, w.url, w.secret, w.previous_secret, w.previous_secret_until`),
    );
    if (claimed.length === 0) return report;
    await Promise.all(claimed.map((delivery) => attempt(db, delivery, now, options, report)));
    if (Date.now() >= deadline) return report;
  }
}

async function attempt(db: Database, delivery: Claimed, now: Date, options: DeliveryWorkerOptions, report: { attempted: number; delivered: number; failed: number; gaveUp: number }) {
  const headers = signedHeaders(delivery, now);
  const result = await sendWebhook(new URL(delivery.url), headers, delivery.payload, options);
  report.attempted += 1;
  const ok = result.status !== null && result.status >= 200 && result.status < 300;
  const failures = delivery.attempts + 1;
  const giveUpAt = asDate(delivery.give_up_at);
  const next = new Date(now.getTime() + retryDelayMs(failures));
  const givesUp = !ok && next > giveUpAt;
  const status = ok ? "delivered" : givesUp ? "failed" : "pending";
  const error = ok ? null : (result.error ?? `The receiver answered ${result.status}.`);
  await db.transaction(async (tx) => {
    // Only the lease holder records: a worker whose lease ran out lets the new holder decide.
    const updated = await tx
      .update(webhookDeliveries)
      .set({
        status,
        attempts: failures,
        nextAttemptAt: ok || givesUp ? now : next,
        claimedBy: null,
        claimedUntil: null,
        lastStatus: result.status,
        lastError: error,
        deliveredAt: ok ? now : null,
      })
      .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.claimedBy, options.workerId)))
      .returning({ id: webhookDeliveries.id });
    if (updated.length === 0) return;
    await tx.insert(webhookAttempts).values({ deliveryId: delivery.id, attempt: failures, at: now, status: result.status, error, durationMs: result.durationMs }).onConflictDoNothing();
    if (givesUp) {
      await tx.update(webhookEndpoints).set({ status: "failing", failingSince: now }).where(and(eq(webhookEndpoints.id, delivery.endpoint_id), eq(webhookEndpoints.status, "active")));
    }
  });
  if (ok) report.delivered += 1;
  else if (givesUp) report.gaveUp += 1;
  else report.failed += 1;
}

/**
 * Standard Webhooks headers: webhook-id, webhook-timestamp and webhook-signature, signed with the
 * endpoint's secret and, during a rotation's overlap, with the previous one too (space-separated
 * signatures; a receiver accepts the delivery if any verifies).
 */
export function signedHeaders(delivery: Pick<Claimed, "id" | "payload" | "secret" | "previous_secret" | "previous_secret_until">, now: Date): Record<string, string> {
  const signatures = [new Webhook(delivery.secret).sign(delivery.id, now, delivery.payload)];
  if (delivery.previous_secret && delivery.previous_secret_until && asDate(delivery.previous_secret_until) > now) {
    signatures.push(new Webhook(delivery.previous_secret).sign(delivery.id, now, delivery.payload));
  }
  return {
    "webhook-id": delivery.id,
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": signatures.join(" "),
  };
}

const asDate = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value).replace(" ", "T").replace(/([+-]\d\d)$/, "$1:00")));
