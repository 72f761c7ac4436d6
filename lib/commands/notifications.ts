import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";

import type { Database } from "../db/client";
import { notificationPreferences, notifications } from "../db/schema";
import { NOTIFICATION_KINDS } from "../domain/notification/kinds";
import { parseInput } from "./validation";

const notificationId = z.object({ id: z.string().max(64, "Unknown notification.").min(1, "Unknown notification.") });

/** Marks one of the owner's notifications read; another user's id matches nothing and changes nothing. */
export async function markNotificationRead(db: Database, owner: { id: string }, input: unknown, now = new Date()): Promise<boolean> {
  const { id } = parseInput(notificationId, input);
  const updated = await db
    .update(notifications)
    .set({ readAt: now })
    .where(and(eq(notifications.notificationId, id), eq(notifications.userId, owner.id), isNull(notifications.readAt)))
    .returning({ id: notifications.notificationId });
  return updated.length > 0;
}

/** Marks every unread notification of the owner's read; returns how many. */
export async function markAllNotificationsRead(db: Database, owner: { id: string }, now = new Date()): Promise<number> {
  const updated = await db
    .update(notifications)
    .set({ readAt: now })
    .where(and(eq(notifications.userId, owner.id), isNull(notifications.readAt)))
    .returning({ id: notifications.notificationId });
  return updated.length;
}

/** Every kind's channel at once: "email" (inbox and email) or "inbox" (inbox only). */
export const preferencesInput = z.strictObject(
  Object.fromEntries(
    NOTIFICATION_KINDS.map((kind) => [kind, z.enum(["inbox", "email"], { error: "Choose inbox or email." }).default("inbox")]),
  ) as Record<(typeof NOTIFICATION_KINDS)[number], z.ZodDefault<z.ZodEnum<{ inbox: "inbox"; email: "email" }>>>,
);

export async function setNotificationPreferences(db: Database, owner: { id: string }, input: unknown, now = new Date()): Promise<void> {
  const choices = parseInput(preferencesInput, input);
  const rows = NOTIFICATION_KINDS.map((kind) => ({ userId: owner.id, kind, email: choices[kind] === "email", updatedAt: now }));
  await db
    .insert(notificationPreferences)
    .values(rows)
    .onConflictDoUpdate({
      target: [notificationPreferences.userId, notificationPreferences.kind],
      set: { email: sql`excluded.email`, updatedAt: sql`excluded.updated_at` },
    });
}
