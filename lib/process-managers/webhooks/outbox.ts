import { createHash } from "node:crypto";

import { eq } from "drizzle-orm";

import type { Database } from "../../db/client";
import { webhookDeliveries, webhookEndpoints, type WebhookEndpointRow } from "../../db/schema";
import { publicEventJson, streamOwners, toPublicEvent } from "../../event-store/public-event";
import { runSubscription } from "../../event-store/subscription";
import type { RawEvent } from "../../event-store/types";

export const WEBHOOK_SUBSCRIPTION = "webhooks";
/** Retries stop this long after a delivery was first due; the endpoint is then marked failing. */
export const RETRY_FOR_MS = 3 * 86_400_000;

/** The delivery's id, also its `webhook-id`: the same for every attempt, so receivers de-duplicate on it. */
export const deliveryIdOf = (endpointId: string, eventId: string): string =>
  `msg_${createHash("sha256").update(`${endpointId}:${eventId}`).digest("base64url").slice(0, 27)}`;

/**
 * The webhook subscription's side effect: one outbox row per (active endpoint, event it may see),
 * written in the transaction that moves the subscription's checkpoint past the events, so every
 * event is queued exactly once for every endpoint. An endpoint gets the events recorded after it
 * was registered.
 */
export async function enqueueDeliveries(tx: Database, events: readonly RawEvent[], now: Date): Promise<number> {
  const endpoints = await tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.status, "active"));
  if (endpoints.length === 0) return 0;
  const owners = endpoints.some((endpoint) => endpoint.audience === "own")
    ? await streamOwners(
        tx,
        events.map((event) => event.streamId),
      )
    : new Map<string, string>();
  const rows: (typeof webhookDeliveries.$inferInsert)[] = [];
  for (const event of events) {
    for (const endpoint of endpoints) {
      if (!sees(endpoint, event, owners)) continue;
      const audience = endpoint.audience === "all" ? ({ role: "admin" } as const) : ({ role: "customer", userId: endpoint.ownerId } as const);
      rows.push({
        id: deliveryIdOf(endpoint.id, event.eventId),
        endpointId: endpoint.id,
        eventId: event.eventId,
        eventType: event.type,
        streamId: event.streamId,
        streamPosition: event.streamPosition,
        globalPosition: event.globalPosition,
        recordedAt: event.recordedAt,
        payload: publicEventJson(toPublicEvent(event, audience)),
        status: "pending",
        nextAttemptAt: now,
        giveUpAt: new Date(now.getTime() + RETRY_FOR_MS),
      });
    }
  }
  for (let i = 0; i < rows.length; i += 500) {
    await tx
      .insert(webhookDeliveries)
      .values(rows.slice(i, i + 500))
      .onConflictDoNothing();
  }
  return rows.length;
}

function sees(endpoint: WebhookEndpointRow, event: RawEvent, owners: Map<string, string>): boolean {
  if (event.recordedAt < endpoint.createdAt) return false;
  if (endpoint.audience === "all") return true;
  return owners.get(event.streamId) === endpoint.ownerId;
}

/** Moves the webhook subscription forward: queues deliveries for the events committed since its checkpoint. */
export async function runWebhookOutbox(db: Database, options: { now?: () => Date; maxMs?: number; batch?: number } = {}) {
  const now = options.now ?? (() => new Date());
  return runSubscription(db, WEBHOOK_SUBSCRIPTION, (tx, events) => enqueueDeliveries(tx, events, now()).then(() => undefined), options);
}

/** Deliveries whose endpoint no longer exists or is not active are left as they are (never sent). */
