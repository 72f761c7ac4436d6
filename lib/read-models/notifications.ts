import { and, count, desc, eq, isNull, lt } from "drizzle-orm";

import type { Database } from "../db/client";
import { notificationPreferences, notifications } from "../db/schema";
import { isNotificationKind, NOTIFICATION_KINDS, type NotificationKind } from "../domain/notification/kinds";

export type NotificationDto = {
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  link: string | null;
  createdAt: string;
  read: boolean;
  /** Opaque cursor of this row, for the next page. */
  position: string;
};

export const INBOX_PAGE = 50;

/** The user's notifications, newest first, a page at a time (keyset on the global position). */
export async function listNotifications(db: Database, userId: string, options: { before?: bigint; limit?: number } = {}): Promise<NotificationDto[]> {
  const rows = await db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), options.before !== undefined ? lt(notifications.globalPosition, options.before) : undefined))
    .orderBy(desc(notifications.globalPosition))
    .limit(Math.min(options.limit ?? INBOX_PAGE, 200));
  return rows.map((row) => ({
    id: row.notificationId,
    kind: isNotificationKind(row.kind) ? row.kind : "security-changed",
    title: row.title,
    body: row.body,
    link: row.link,
    createdAt: row.createdAt.toISOString(),
    read: row.readAt !== null,
    position: row.globalPosition.toString(),
  }));
}

/** How many of the user's notifications are unread (a partial index holds just those). */
export async function unreadCount(db: Database, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return Number(row?.n ?? 0);
}

/** Per kind: whether it also goes by email (the default is inbox only). */
export async function notificationPreferencesOf(db: Database, userId: string): Promise<Record<NotificationKind, boolean>> {
  const rows = await db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId));
  const out = Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, false])) as Record<NotificationKind, boolean>;
  for (const row of rows) if (isNotificationKind(row.kind)) out[row.kind] = row.email;
  return out;
}
