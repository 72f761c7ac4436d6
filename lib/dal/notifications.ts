import "server-only";

import { markAllNotificationsRead, markNotificationRead, setNotificationPreferences } from "../commands/notifications";
import { database } from "../db";
import { NOTIFICATION_KINDS, type NotificationKind } from "../domain/notification/kinds";
import { ValidationError } from "../domain/shared/errors";
import { formatMarkedMoney } from "../domain/shared/money";
import { listNotifications, notificationPreferencesOf, unreadCount, type NotificationDto } from "../read-models/notifications";
import { myFormatting } from "./formatting";
import { currentUser, requireUser } from "./session";

export type { NotificationDto } from "../read-models/notifications";

// The inbox and its settings. Every function checks the session itself and reaches only the
// signed-in user's own rows (the owner is in every WHERE).

const text = (formData: FormData, key: string) => {
  const value = formData.get(key);
  return typeof value === "string" ? value : "";
};

/** For the header: the signed-in user's unread count, or null when nobody is signed in. */
export async function myUnreadCount(): Promise<number | null> {
  const user = await currentUser();
  if (!user) return null;
  const { db } = await database();
  return unreadCount(db, user.id);
}

/** A page of the inbox, newest first; `before` is the cursor of the last row of the page before. */
export async function myNotifications(before?: string): Promise<{ notifications: NotificationDto[]; nextCursor: string | null }> {
  const user = await requireUser();
  const { db } = await database();
  const cursor = before && /^\d{1,19}$/.test(before) ? BigInt(before) : undefined;
  const [rows, { locale }] = await Promise.all([listNotifications(db, user.id, { before: cursor }), myFormatting()]);
  // Amounts are marked in the stored text and shown in the reader's locale.
  const shown = rows.map((row) => ({ ...row, title: formatMarkedMoney(row.title, locale), body: formatMarkedMoney(row.body, locale) }));
  return { notifications: shown, nextCursor: rows.length === 50 ? (rows.at(-1)?.position ?? null) : null };
}

export async function markMyNotificationRead(formData: FormData): Promise<void> {
  const user = await requireUser();
  const { db } = await database();
  try {
    await markNotificationRead(db, user, { id: text(formData, "id") });
  } catch (error) {
    // A tampered id is "nothing to mark", not an error page.
    if (!(error instanceof ValidationError)) throw error;
  }
}

export async function markAllMyNotificationsRead(): Promise<number> {
  const user = await requireUser();
  const { db } = await database();
  return markAllNotificationsRead(db, user);
}

export async function myNotificationPreferences(): Promise<Record<NotificationKind, boolean>> {
  const user = await requireUser();
  const { db } = await database();
  return notificationPreferencesOf(db, user.id);
}

export type PreferencesFormState = { status: "idle" | "saved" | "invalid"; message?: string };

export async function saveMyNotificationPreferences(formData: FormData): Promise<PreferencesFormState> {
  const user = await requireUser();
  const { db } = await database();
  // Each kind is a checkbox: present means "inbox and email".
  const input = Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, formData.get(`email:${kind}`) === "on" ? "email" : "inbox"]));
  try {
    await setNotificationPreferences(db, user, input);
    return { status: "saved", message: "Saved." };
  } catch (error) {
    if (error instanceof ValidationError) return { status: "invalid", message: "Those choices could not be saved." };
    throw error;
  }
}
