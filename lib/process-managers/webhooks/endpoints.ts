import { randomBytes } from "node:crypto";

import { and, desc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import { z } from "zod";

import { createdId } from "../../commands/ids";
import { parseInput, requiredText } from "../../commands/validation";
import type { Database } from "../../db/client";
import {
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
  type WebhookAttemptRow,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
} from "../../db/schema";
import { ValidationError } from "../../domain/shared/errors";
import { RETRY_FOR_MS } from "./outbox";

/** How long the old secret keeps signing after a rotation, so receivers can switch without a gap. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;
export const MAX_ENDPOINTS_PER_OWNER = 20;

export type WebhookOwner = { readonly id: string; readonly role: "customer" | "admin" };

export type WebhookEndpointSummary = {
  id: string;
  url: string;
  description: string;
  audience: "own" | "all";
  status: "active" | "failing" | "disabled";
  failingSince: Date | null;
  createdAt: Date;
  rotating: boolean;
};

const summary = (row: WebhookEndpointRow, now = new Date()): WebhookEndpointSummary => ({
  id: row.id,
  url: row.url,
  description: row.description,
  audience: row.audience as "own" | "all",
  status: row.status as WebhookEndpointSummary["status"],
  failingSince: row.failingSince,
  createdAt: row.createdAt,
  rotating: Boolean(row.previousSecretUntil && row.previousSecretUntil > now),
});

/** An endpoint URL: absolute, https (http only where private destinations are allowed), no credentials, at most 2,000 characters. */
export const webhookUrl = (allowPrivate: boolean) =>
  z
    .string({ error: "Enter the endpoint's URL." })
    .trim()
    .min(1, "Enter the endpoint's URL.")
    .max(2000, "The URL may be at most 2,000 characters.")
    .refine((text) => URL.canParse(text), "Enter an absolute URL, like https://example.com/webhooks.")
    .refine(
      (text) => !URL.canParse(text) || new URL(text).protocol === "https:" || (allowPrivate && new URL(text).protocol === "http:"),
      "The URL must start with https://.",
    )
    .refine(
      (text) => !URL.canParse(text) || (!new URL(text).username && !new URL(text).password),
      "The URL may not contain a user name or password.",
    );

export const registerWebhookInput = (allowPrivate: boolean) =>
  z.object({
    url: webhookUrl(allowPrivate),
    description: requiredText("Description", 100),
  });

export const newSecret = (): string => `whsec_${randomBytes(24).toString("base64")}`;

/**
 * Registers an endpoint. Customers' endpoints get the events of their own accounts and the
 * transfers they sent; admins' get every event. The secret is returned here only (shown once).
 * The address is checked when each delivery is made (DNS can change), not only now.
 */
export async function registerWebhook(
  db: Database,
  owner: WebhookOwner,
  input: unknown,
  options: { allowPrivate: boolean; commandId?: string; now?: Date },
): Promise<{ endpoint: WebhookEndpointSummary; secret: string }> {
  const { url, description } = parseInput(registerWebhookInput(options.allowPrivate), input);
  const now = options.now ?? new Date();
  const [count] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.ownerId, owner.id));
  if (Number(count?.n ?? 0) >= MAX_ENDPOINTS_PER_OWNER) {
    throw new ValidationError({ url: [`You can have at most ${MAX_ENDPOINTS_PER_OWNER} webhook endpoints; delete one first.`] });
  }
  const row: WebhookEndpointRow = {
    id: createdId("webhook", { actor: owner, commandId: options.commandId }),
    ownerId: owner.id,
    audience: owner.role === "admin" ? "all" : "own",
    url,
    description,
    secret: newSecret(),
    previousSecret: null,
    previousSecretUntil: null,
    status: "active",
    failingSince: null,
    createdAt: now,
  };
  const inserted = await db.insert(webhookEndpoints).values(row).onConflictDoNothing().returning();
  if (inserted.length === 0) throw new ValidationError({ url: ["This form was already sent; the endpoint exists and its secret was shown then."] });
  return { endpoint: summary(row, now), secret: row.secret };
}

export async function listWebhooks(db: Database, owner: WebhookOwner): Promise<WebhookEndpointSummary[]> {
  const rows = await db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.ownerId, owner.id))
    .orderBy(desc(webhookEndpoints.createdAt))
    .limit(MAX_ENDPOINTS_PER_OWNER);
  return rows.map((row) => summary(row));
}

/** The owner's endpoint, or undefined (someone else's is as missing as one that does not exist). */
export async function findOwnWebhook(db: Database, owner: WebhookOwner, endpointId: unknown): Promise<WebhookEndpointRow | undefined> {
  if (typeof endpointId !== "string" || endpointId.length > 80) return undefined;
  const [row] = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, endpointId), eq(webhookEndpoints.ownerId, owner.id)));
  return row;
}

/** A new secret; the old one keeps signing (as a second signature) for ROTATION_OVERLAP_MS. Returns the new secret, shown once. */
export async function rotateWebhookSecret(db: Database, owner: WebhookOwner, endpointId: unknown, now = new Date()): Promise<string | undefined> {
  const endpoint = await findOwnWebhook(db, owner, endpointId);
  if (!endpoint) return undefined;
  const secret = newSecret();
  await db
    .update(webhookEndpoints)
    .set({ secret, previousSecret: endpoint.secret, previousSecretUntil: new Date(now.getTime() + ROTATION_OVERLAP_MS) })
    .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.ownerId, owner.id)));
  return secret;
}

/** Turns deliveries on again after the endpoint was marked failing or disabled, or off. */
export async function setWebhookStatus(db: Database, owner: WebhookOwner, endpointId: unknown, status: "active" | "disabled"): Promise<boolean> {
  const endpoint = await findOwnWebhook(db, owner, endpointId);
  if (!endpoint) return false;
  await db
    .update(webhookEndpoints)
    .set({ status, failingSince: null })
    .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.ownerId, owner.id)));
  return true;
}

export type DeliveryLogEntry = Pick<
  WebhookDeliveryRow,
  | "id"
  | "eventId"
  | "eventType"
  | "streamId"
  | "globalPosition"
  | "recordedAt"
  | "status"
  | "attempts"
  | "nextAttemptAt"
  | "lastStatus"
  | "lastError"
  | "deliveredAt"
> & {
  attemptLog: Pick<WebhookAttemptRow, "attempt" | "at" | "status" | "error" | "durationMs">[];
};

/** The endpoint's deliveries, newest first, each with its attempts. */
export async function webhookDeliveryLog(
  db: Database,
  endpoint: WebhookEndpointRow,
  options: { before?: bigint; limit?: number } = {},
): Promise<DeliveryLogEntry[]> {
  const limit = Math.min(options.limit ?? 50, 200);
  const conditions = [eq(webhookDeliveries.endpointId, endpoint.id)];
  if (options.before !== undefined) conditions.push(lt(webhookDeliveries.globalPosition, options.before));
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(and(...conditions))
    .orderBy(desc(webhookDeliveries.globalPosition))
    .limit(limit);
  const attempts = rows.length
    ? await db
        .select()
        .from(webhookAttempts)
        .where(
          inArray(
            webhookAttempts.deliveryId,
            rows.map((row) => row.id),
          ),
        )
        .orderBy(webhookAttempts.attempt)
    : [];
  return rows.map((row) => ({
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    streamId: row.streamId,
    globalPosition: row.globalPosition,
    recordedAt: row.recordedAt,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    lastStatus: row.lastStatus,
    lastError: row.lastError,
    deliveredAt: row.deliveredAt,
    attemptLog: attempts
      .filter((a) => a.deliveryId === row.id)
      .map(({ attempt, at, status, error, durationMs }) => ({ attempt, at, status, error, durationMs })),
  }));
}

/** Sends one delivery again, now (with the same webhook-id); its attempts so far stay in the log. */
export async function resendDelivery(db: Database, endpoint: WebhookEndpointRow, deliveryId: unknown, now = new Date()): Promise<boolean> {
  if (typeof deliveryId !== "string" || deliveryId.length > 80) return false;
  const updated = await db
    .update(webhookDeliveries)
    .set({ status: "pending", nextAttemptAt: now, giveUpAt: new Date(now.getTime() + RETRY_FOR_MS), claimedBy: null, claimedUntil: null })
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpoint.id)))
    .returning({ id: webhookDeliveries.id });
  return updated.length > 0;
}

/** Sends again every delivery of events recorded since `from`, in order. Returns how many. */
export async function replayDeliveries(db: Database, endpoint: WebhookEndpointRow, from: Date, now = new Date()): Promise<number> {
  const updated = await db
    .update(webhookDeliveries)
    .set({ status: "pending", nextAttemptAt: now, giveUpAt: new Date(now.getTime() + RETRY_FOR_MS), claimedBy: null, claimedUntil: null })
    .where(and(eq(webhookDeliveries.endpointId, endpoint.id), gte(webhookDeliveries.recordedAt, from)))
    .returning({ id: webhookDeliveries.id });
  return updated.length;
}
