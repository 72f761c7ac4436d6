import "server-only";

import { env } from "../../env";
import { encodeFeedCursor, readFeed } from "../../event-store/feed";
import { toPublicEvent } from "../../event-store/public-event";
import { listWebhooks as listOwnWebhooks, registerWebhook as register, type WebhookEndpointSummary } from "../../process-managers/webhooks/endpoints";
import type { operations } from "../operations";
import type { Handler } from "../route";

/** GET /events: the caller's events (admins: all) after the cursor, in global order. */
export const eventFeed: Handler<typeof operations.eventFeed> = async ({ ctx, user, query }) => {
  const admin = user.role === "admin";
  const page = await readFeed(ctx.db, { after: query.after, limit: query.limit ?? 100, customerId: admin ? undefined : user.id });
  const audience = admin ? ({ role: "admin" } as const) : ({ role: "customer", userId: user.id } as const);
  return { events: page.events.map((event) => toPublicEvent(event, audience)), nextCursor: encodeFeedCursor(page.next) };
};

const toApiWebhook = (endpoint: WebhookEndpointSummary) => ({
  id: endpoint.id,
  url: endpoint.url,
  description: endpoint.description,
  audience: endpoint.audience,
  status: endpoint.status,
  createdAt: endpoint.createdAt.toISOString(),
});

const ownerOf = (user: { id: string; role: string }) => ({ id: user.id, role: user.role === "admin" ? ("admin" as const) : ("customer" as const) });

export const listWebhooks: Handler<typeof operations.listWebhooks> = async ({ ctx, user }) => ({
  webhooks: (await listOwnWebhooks(ctx.db, ownerOf(user))).map(toApiWebhook),
});

/** With an Idempotency-Key, a retry names the same endpoint (a derived id) and is refused: the secret was shown once. */
export const registerWebhook: Handler<typeof operations.registerWebhook> = async ({ ctx, user, body, metadata }) => {
  const commandId = metadata.commandId;
  const { endpoint, secret } = await register(ctx.db, ownerOf(user), body, {
    allowPrivate: env().WEBHOOKS_ALLOW_PRIVATE,
    commandId,
    now: metadata.now,
  });
  return { webhook: toApiWebhook(endpoint), secret };
};
