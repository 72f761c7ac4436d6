import "server-only";
import { encodeFeedCursor, readFeed } from "../../event-store/feed";
import { toPublicEvent } from "../../event-store/public-event";
import type { operations } from "../operations";
import type { Handler } from "../route";

/** GET /events: the caller's events (admins: all) after the cursor, in global order. */
export const eventFeed: Handler<typeof operations.eventFeed> = async ({ ctx, user, query }) => {
  const admin = user.role === "admin";
  const page = await readFeed(ctx.db, { after: query.after, limit: query.limit ?? 100, customerId: admin ? undefined : user.id });
  const audience = admin ? ({ role: "admin" } as const) : ({ role: "customer", userId: user.id } as const);
  return { events: page.events.map((event) => toPublicEvent(event, audience)), nextCursor: encodeFeedCursor(page.next) };
};
