import "server-only";

import { randomUUID } from "node:crypto";

import { database } from "../db";
import { env } from "../env";
import {
  findOwnWebhook,
  listWebhooks,
  registerWebhook,
  replayDeliveries,
  resendDelivery,
  rotateWebhookSecret,
  setWebhookStatus,
  webhookDeliveryLog,
  type WebhookEndpointSummary,
  type WebhookOwner,
} from "../process-managers/webhooks/endpoints";
import { formCommand, formText, formValues, pickFields } from "./form";
import { currentUser, requireUser } from "./session";

// Every function checks the session itself, and every endpoint is looked up by its owner: someone
// else's endpoint is "not found", never "forbidden".

export type WebhookEndpointDto = Omit<WebhookEndpointSummary, "createdAt" | "failingSince"> & { createdAt: string; failingSince: string | null };

export type WebhookDeliveryDto = {
  id: string;
  eventId: string;
  eventType: string;
  streamId: string;
  recordedAt: string;
  status: string;
  attempts: number;
  nextAttemptAt: string;
  lastStatus: number | null;
  lastError: string | null;
  attemptLog: { attempt: number; at: string; status: number | null; error: string | null; durationMs: number }[];
};

const ownerOf = (user: { id: string; role: string }): WebhookOwner => ({ id: user.id, role: user.role === "admin" ? "admin" : "customer" });

const toDto = (endpoint: WebhookEndpointSummary): WebhookEndpointDto => ({
  ...endpoint,
  createdAt: endpoint.createdAt.toISOString(),
  failingSince: endpoint.failingSince?.toISOString() ?? null,
});

export async function listMyWebhooks(): Promise<WebhookEndpointDto[]> {
  const user = await requireUser();
  const { db } = await database();
  return (await listWebhooks(db, ownerOf(user))).map(toDto);
}

export type RegisterWebhookFormState = {
  status: "idle" | "created" | "invalid" | "error";
  commandId?: string;
  /** Shown once, right after the endpoint is made. */
  secret?: string;
  endpointId?: string;
  message?: string;
  fieldErrors?: { url?: string[]; description?: string[] };
  values?: { url: string; description: string };
};

export async function registerMyWebhook(formData: FormData): Promise<RegisterWebhookFormState> {
  const values = formValues(formData, ["url", "description"]);
  const outcome = await formCommand(formData, {
    commandId: "required",
    check: "your webhooks",
    async run({ user, commandId }) {
      const { db } = await database();
      return registerWebhook(db, ownerOf(user), values, { allowPrivate: env().WEBHOOKS_ALLOW_PRIVATE, commandId });
    },
  });
  if (!outcome.ok) {
    return outcome.kind === "invalid"
      ? { status: "invalid", fieldErrors: pickFields(outcome.fieldErrors, ["url", "description"]), values, commandId: outcome.commandId }
      : { status: "error", message: outcome.message, values, commandId: outcome.commandId };
  }
  return { status: "created", secret: outcome.value.secret, endpointId: outcome.value.endpoint.id, commandId: randomUUID() };
}

/** The endpoint and its newest deliveries, or null when it is not the user's. */
export async function getMyWebhookLog(endpointId: string): Promise<{ endpoint: WebhookEndpointDto; deliveries: WebhookDeliveryDto[] } | null> {
  const user = await requireUser();
  const { db } = await database();
  const owner = ownerOf(user);
  const row = await findOwnWebhook(db, owner, endpointId);
  if (!row) return null;
  const endpoint = (await listWebhooks(db, owner)).find((summary) => summary.id === row.id);
  if (!endpoint) return null;
  const deliveries = await webhookDeliveryLog(db, row, { limit: 100 });
  return {
    endpoint: toDto(endpoint),
    deliveries: deliveries.map((entry) => ({
      id: entry.id,
      eventId: entry.eventId,
      eventType: entry.eventType,
      streamId: entry.streamId,
      recordedAt: entry.recordedAt.toISOString(),
      status: entry.status,
      attempts: entry.attempts,
      nextAttemptAt: entry.nextAttemptAt.toISOString(),
      lastStatus: entry.lastStatus,
      lastError: entry.lastError,
      attemptLog: entry.attemptLog.map((attempt) => ({ ...attempt, at: attempt.at.toISOString() })),
    })),
  };
}

async function ownEndpoint(formData: FormData) {
  const user = await currentUser();
  if (!user) return undefined;
  const { db } = await database();
  const endpoint = await findOwnWebhook(db, ownerOf(user), formData.get("endpointId"));
  return endpoint ? { db, endpoint, owner: ownerOf(user) } : undefined;
}

/** Queues one delivery to go again at once; false when it is not the user's. */
export async function resendMyDelivery(formData: FormData): Promise<boolean> {
  const found = await ownEndpoint(formData);
  return found ? resendDelivery(found.db, found.endpoint, formData.get("deliveryId")) : false;
}

export type ReplayFormState = { status: "idle" | "done" | "invalid"; message?: string };

export async function replayMyWebhook(formData: FormData): Promise<ReplayFormState> {
  const found = await ownEndpoint(formData);
  if (!found) return { status: "invalid", message: "There is no such webhook." };
  const from = formText(formData, "from");
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || Number.isNaN(Date.parse(`${from}T00:00:00Z`)))
    return { status: "invalid", message: "Enter the date to replay from, like 2026-11-30." };
  const count = await replayDeliveries(found.db, found.endpoint, new Date(`${from}T00:00:00Z`));
  return { status: "done", message: `${count} ${count === 1 ? "delivery" : "deliveries"} since ${from} will be sent again, in order.` };
}

export type RotateFormState = { status: "idle" | "rotated" | "error"; secret?: string; message?: string };

export async function rotateMyWebhookSecret(formData: FormData): Promise<RotateFormState> {
  const found = await ownEndpoint(formData);
  if (!found) return { status: "error", message: "There is no such webhook." };
  const secret = await rotateWebhookSecret(found.db, found.owner, found.endpoint.id);
  return secret ? { status: "rotated", secret } : { status: "error", message: "There is no such webhook." };
}

export async function setMyWebhookStatus(formData: FormData): Promise<boolean> {
  const found = await ownEndpoint(formData);
  const status = formData.get("status");
  if (!found || (status !== "active" && status !== "disabled")) return false;
  return setWebhookStatus(found.db, found.owner, found.endpoint.id, status);
}
