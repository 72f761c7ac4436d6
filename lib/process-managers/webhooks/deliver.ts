import { randomBytes } from "node:crypto";

import { sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";

import { rowsOf, type Database } from "../../db/client";
import { sendWebhook, type SendOptions } from "./send";

/** How long a worker's claim on a delivery lasts; a worker that dies loses it after this. */
const LEASE_MS = 60_000;
/** Streams (endpoint and stream pairs) one claim takes at most; their runs are sent side by side. */
const STREAMS_PER_CLAIM = 32;
/** Deliveries of one stream one claim takes at most, sent one after the other in stream order. */
const RUN_LENGTH = 25;

/** Wait before retry n (1 = after the first failure): 30 s doubling, at most 12 hours; stopped after three days. */
export const retryDelayMs = (failures: number): number => Math.min(30_000 * 2 ** Math.max(0, failures - 1), 12 * 3_600_000);

export type DeliveryWorkerOptions = SendOptions & {
  readonly workerId: string;
  /** The clock (tests move it forward to reach the retry schedule). */
  readonly now?: () => Date;
  /** Most streams one claim takes: how many requests may be in flight at once (default 32). */
  readonly streams?: number;
  /** Most consecutive deliveries of one stream one claim takes (default 25). */
  readonly runLength?: number;
  readonly maxMs?: number;
  /** How long a claim lasts before another worker may take the delivery over (default 60 s; at least twice the timeout). */
  readonly leaseMs?: number;
};

export type DeliveryReport = { readonly attempted: number; readonly delivered: number; readonly failed: number; readonly gaveUp: number };

type Claimed = {
  id: string;
  head_id: string;
  rank: number;
  endpoint_id: string;
  payload: string;
  attempts: number;
  give_up_at: unknown;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_until: unknown;
};

/** What became of one claimed delivery: sent (with its answer), or handed back unsent. */
type Outcome =
  | { id: string; sent: false }
  | {
      id: string;
      sent: true;
      status: "pending" | "delivered" | "failed";
      attempts: number;
      next_attempt_at: string;
      last_status: number | null;
      last_error: string | null;
      delivered_at: string | null;
      at: string;
      duration_ms: number;
    };

/**
 * Claims due deliveries and sends them. A delivery is due when it is pending, its next attempt time
 * has come, nobody holds a live lease on it, its endpoint is active, and no earlier delivery of the
 * same stream to the same endpoint is still pending: an endpoint gets a stream's events in order.
 *
 * One claim (one statement) takes up to `streams` such heads and, behind each, the next pending
 * deliveries of the same stream (a run, up to `runLength`, stopping at the first one that is not
 * due or is leased): runs are sent side by side, each run one request after the other, and a
 * failure ends its run (the rest is handed back unsent, so it stays behind the failed one). Every
 * outcome of the claim is recorded by one statement at the end. Claims are leases taken with FOR
 * UPDATE SKIP LOCKED, so any number of workers on any instances share the work; a worker starts a
 * request only while its lease will outlast the request's timeout, so nobody else can be sending
 * the same stream meanwhile. A worker that dies lets its lease expire and the deliveries go again
 * with the same webhook-id (at least once; receivers de-duplicate on it).
 */
export async function deliverDueWebhooks(db: Database, options: DeliveryWorkerOptions): Promise<DeliveryReport> {
  const clock = options.now ?? (() => new Date());
  const deadline = Date.now() + (options.maxMs ?? 10_000);
  // A claim must outlast at least one whole attempt, or a slow request could still be under way
  // when another worker takes the delivery over and sends what comes after it.
  const leaseMs = Math.max(options.leaseMs ?? LEASE_MS, options.timeoutMs * 2);
  const streams = Math.max(1, options.streams ?? STREAMS_PER_CLAIM);
  const runLength = Math.max(1, options.runLength ?? RUN_LENGTH);
  const report = { attempted: 0, delivered: 0, failed: 0, gaveUp: 0 };
  for (;;) {
    const now = clock();
    const at = now.toISOString();
    // A fresh claim token per round: two rounds of one worker (or two workers given one id) never take each other's claims for their own.
    const claim = `${options.workerId}:${randomBytes(6).toString("base64url")}`;
    const claimedAt = performance.now();
    const claimed = rowsOf<Claimed>(
      await db.execute(sql`
        with heads as materialized (
          select d.id, d.endpoint_id, d.stream_id, d.stream_position
          from webhook_deliveries d join webhook_endpoints w on w.id = d.endpoint_id and w.status = 'active'
          where d.status = 'pending' and d.next_attempt_at <= ${at}::timestamptz
            and (d.claimed_until is null or d.claimed_until < ${at}::timestamptz)
            and not exists (select 1 from webhook_deliveries e where e.endpoint_id = d.endpoint_id and e.stream_id = d.stream_id
                            and e.stream_position < d.stream_position and e.status = 'pending')
          order by d.next_attempt_at, d.global_position
          limit ${streams}
          for update of d skip locked),
        followers as materialized (
          select run.id, h.id as head_id, run.rank from heads h cross join lateral (
            select r.id, r.rank from (
              select e.id, (row_number() over (order by e.stream_position))::int + 1 as rank,
                bool_and(e.next_attempt_at <= ${at}::timestamptz and (e.claimed_until is null or e.claimed_until < ${at}::timestamptz))
                  over (order by e.stream_position) as unbroken
              from (select f.id, f.stream_position, f.next_attempt_at, f.claimed_until from webhook_deliveries f
                    where f.endpoint_id = h.endpoint_id and f.stream_id = h.stream_id and f.status = 'pending'
                      and f.stream_position > h.stream_position
                    order by f.stream_position limit ${runLength - 1}) e
            ) r where r.unbroken
          ) run),
        locked as (
          select d.id from webhook_deliveries d where d.id in (select id from followers) and d.status = 'pending'
            and (d.claimed_until is null or d.claimed_until < ${at}::timestamptz)
          for update of d skip locked),
        members as (
          select id, id as head_id, 1 as rank from heads
          union all
          select f.id, f.head_id, f.rank from followers f join locked l on l.id = f.id)
        update webhook_deliveries d set claimed_by = ${claim},
          claimed_until = ${new Date(now.getTime() + leaseMs).toISOString()}::timestamptz
        from members m, webhook_endpoints w
        where d.id = m.id and w.id = d.endpoint_id
        returning d.id, m.head_id, m.rank, d.endpoint_id, d.payload, d.attempts, d.give_up_at, w.url, w.secret, w.previous_secret, w.previous_secret_until`),
    );
    if (claimed.length === 0) return report;
    const outcomes: Outcome[] = [];
    const sendUntil = claimedAt + leaseMs - options.timeoutMs;
    await Promise.all(runsOf(claimed).map((run) => sendRun(run, clock, sendUntil, options, outcomes, report)));
    await record(db, claim, outcomes);
    if (Date.now() >= deadline) return report;
  }
}

/**
 * The claimed deliveries by stream, each in stream order. A run is cut at its first gap in rank
 * (a follower another transaction held at the moment of the claim): what lies behind a gap is
 * handed back, since sending it would overtake the one missing.
 */
function runsOf(claimed: readonly Claimed[]): Claimed[][] {
  const byHead = new Map<string, Claimed[]>();
  for (const row of claimed) byHead.set(row.head_id, [...(byHead.get(row.head_id) ?? []), row]);
  return [...byHead.values()].map((run) => run.sort((x, y) => Number(x.rank) - Number(y.rank)));
}

async function sendRun(
  run: readonly Claimed[],
  clock: () => Date,
  sendUntil: number,
  options: DeliveryWorkerOptions,
  outcomes: Outcome[],
  report: { attempted: number; delivered: number; failed: number; gaveUp: number },
) {
  let going = true;
  for (const [index, delivery] of run.entries()) {
    // Stop at a gap in the run, after a failure, and when the lease would end before a request could time out.
    if (!going || Number(delivery.rank) !== index + 1 || performance.now() >= sendUntil) {
      going = false;
      outcomes.push({ id: delivery.id, sent: false });
      continue;
    }
    const now = clock();
    const result = await sendWebhook(new URL(delivery.url), signedHeaders(delivery, now), delivery.payload, options);
    report.attempted += 1;
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const failures = delivery.attempts + 1;
    const next = new Date(now.getTime() + retryDelayMs(failures));
    const givesUp = !ok && next > asDate(delivery.give_up_at);
    outcomes.push({
      id: delivery.id,
      sent: true,
      status: ok ? "delivered" : givesUp ? "failed" : "pending",
      attempts: failures,
      next_attempt_at: (ok || givesUp ? now : next).toISOString(),
      last_status: result.status,
      last_error: ok ? null : (result.error ?? `The receiver answered ${result.status}.`),
      delivered_at: ok ? now.toISOString() : null,
      at: now.toISOString(),
      duration_ms: result.durationMs,
    });
    if (ok) report.delivered += 1;
    else if (givesUp) report.gaveUp += 1;
    else report.failed += 1;
    going = ok;
  }
}

/**
 * Records a claim's outcomes in one statement: each sent delivery's new state and its attempt, the
 * unsent ones handed back, and an endpoint marked failing when one of its deliveries gave up. Only
 * the claim's holder records: rows whose lease ran out and another worker took are left to it.
 */
async function record(db: Database, claim: string, outcomes: readonly Outcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  await db.execute(sql`
    with outcome as (
      select * from jsonb_to_recordset(${JSON.stringify(outcomes)}::jsonb) as o(id text, sent boolean, status text, attempts int,
        next_attempt_at timestamptz, last_status int, last_error text, delivered_at timestamptz, at timestamptz, duration_ms int)),
    updated as (
      update webhook_deliveries d set
        status = case when o.sent then o.status else d.status end,
        attempts = case when o.sent then o.attempts else d.attempts end,
        next_attempt_at = case when o.sent then o.next_attempt_at else d.next_attempt_at end,
        last_status = case when o.sent then o.last_status else d.last_status end,
        last_error = case when o.sent then o.last_error else d.last_error end,
        delivered_at = case when o.sent then o.delivered_at else d.delivered_at end,
        claimed_by = null, claimed_until = null
      from outcome o where d.id = o.id and d.claimed_by = ${claim}
      returning d.id, d.endpoint_id),
    attempts as (
      insert into webhook_attempts (delivery_id, attempt, at, status, error, duration_ms)
      select o.id, o.attempts, o.at, o.last_status, o.last_error, o.duration_ms from outcome o join updated u on u.id = o.id where o.sent
      on conflict do nothing)
    update webhook_endpoints w set status = 'failing', failing_since = o.at
    from outcome o join updated u on u.id = o.id
    where w.id = u.endpoint_id and o.sent and o.status = 'failed' and w.status = 'active'`);
}

/**
 * Standard Webhooks headers: webhook-id, webhook-timestamp and webhook-signature, signed with the
 * endpoint's secret and, during a rotation's overlap, with the previous one too (space-separated
 * signatures; a receiver accepts the delivery if any verifies).
 */
export function signedHeaders(
  delivery: Pick<Claimed, "id" | "payload" | "secret" | "previous_secret" | "previous_secret_until">,
  now: Date,
): Record<string, string> {
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

const asDate = (value: unknown): Date =>
  value instanceof Date
    ? value
    : new Date(
        String(value)
          .replace(" ", "T")
          .replace(/([+-]\d\d)$/, "$1:00"),
      );
