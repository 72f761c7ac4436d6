import { eq } from "drizzle-orm";
import { z } from "zod";

import type { Database } from "../db/client";
import { auditLog, users } from "../db/schema";
import { identityEventCodec, USER_STREAM_TYPE, userStreamId, type IdentityEvent } from "../domain/identity/events";
import { DEFAULT_LOCALE, isLocale, LOCALES } from "../domain/identity/locales";
import { isTimeZone } from "../domain/order/schedule";
import type { CommandMetadata } from "../domain/shared/decider";
import type { Formatting } from "../domain/shared/format";
import { decodeEvent } from "../event-store/read";
import { lockStream, recordFacts } from "../event-store/record";
import type { StoredEvent } from "../event-store/types";
import { identityAuditEntry } from "../projections/identity-projection";
import { parseInput } from "./validation";

export const timeZoneField = z
  .string({ error: "Choose a time zone." })
  .max(64, "Choose a time zone from the list.")
  .refine((value) => isTimeZone(value), "Choose a time zone from the list (like Europe/Berlin).");

/** The customer's time zone, or null when they never set one (the browser's is then offered). */
export async function timeZoneOf(db: Database, userId: string): Promise<string | null> {
  const [row] = await db.select({ timeZone: users.timeZone }).from(users).where(eq(users.id, userId));
  return row?.timeZone ?? null;
}

/** Sets the customer's time zone, recorded as TimeZoneChanged on their stream; no event when it is unchanged. */
export async function setTimeZone(db: Database, owner: { id: string }, input: unknown, metadata: CommandMetadata): Promise<string> {
  const { timeZone } = parseInput(z.object({ timeZone: timeZoneField }), input);
  return db.transaction(async (tx) => {
    await lockStream(tx, userStreamId(owner.id));
    const [before] = await tx.select({ timeZone: users.timeZone }).from(users).where(eq(users.id, owner.id));
    if (!before || before.timeZone === timeZone) return timeZone;
    await tx.update(users).set({ timeZone }).where(eq(users.id, owner.id));
    const event: IdentityEvent = { type: "TimeZoneChanged", data: { from: before.timeZone, to: timeZone } };
    const raw = await recordFacts(tx, {
      streamId: userStreamId(owner.id),
      streamType: USER_STREAM_TYPE,
      events: [identityEventCodec.encode(event)],
      metadata,
    });
    await tx.insert(auditLog).values(raw.map((stored) => identityAuditEntry(decodeEvent(identityEventCodec, stored) as StoredEvent<IdentityEvent>)));
    return timeZone;
  });
}

export const localeField = z
  .string({ error: "Choose a language." })
  .max(16, "Choose a language from the list.")
  .refine((value) => isLocale(value), `Choose a language from the list (${LOCALES.join(", ")}).`);

export const displayNameField = z
  .string({ error: "Enter your name." })
  .trim()
  .min(1, "Enter your name.")
  .max(100, "Use at most 100 characters.")
  .refine((value) => !/[\u0000-\u001f\u007f]/.test(value) && value.isWellFormed(), "Use letters, spaces and punctuation only.");

export const profileInput = z.object({ name: displayNameField, locale: localeField, timeZone: timeZoneField });

export type Profile = { name: string; email: string; locale: string | null; timeZone: string | null };

/** The customer's name, email and formatting choices (null: never set). */
export async function profileOf(db: Database, userId: string): Promise<Profile | undefined> {
  const [row] = await db
    .select({ name: users.name, email: users.email, locale: users.locale, timeZone: users.timeZone })
    .from(users)
    .where(eq(users.id, userId));
  return row;
}

/** How this customer reads dates and money: their locale (en-GB until chosen) and time zone (UTC until chosen). */
export async function formattingOf(db: Database, userId: string): Promise<Formatting> {
  const [row] = await db.select({ locale: users.locale, timeZone: users.timeZone }).from(users).where(eq(users.id, userId));
  return { locale: isLocale(row?.locale) ? row.locale : DEFAULT_LOCALE, timeZone: row?.timeZone ?? "UTC" };
}

/**
 * Sets name, language and time zone in one transaction: one event per field that changed
 * (DisplayNameChanged, LocaleChanged, TimeZoneChanged) on the user's stream, each in the audit
 * trail; nothing at all when nothing changed. Returns how many fields changed.
 */
export async function updateProfile(db: Database, owner: { id: string }, input: unknown, metadata: CommandMetadata): Promise<number> {
  const next = parseInput(profileInput, input);
  return db.transaction(async (tx) => {
    await lockStream(tx, userStreamId(owner.id));
    const [before] = await tx.select({ name: users.name, locale: users.locale, timeZone: users.timeZone }).from(users).where(eq(users.id, owner.id));
    if (!before) return 0;
    const changes: IdentityEvent[] = [];
    if (before.name !== next.name) changes.push({ type: "DisplayNameChanged", data: { from: before.name, to: next.name } });
    if (before.locale !== next.locale) changes.push({ type: "LocaleChanged", data: { from: before.locale, to: next.locale } });
    if (before.timeZone !== next.timeZone) changes.push({ type: "TimeZoneChanged", data: { from: before.timeZone, to: next.timeZone } });
    if (changes.length === 0) return 0;
    await tx.update(users).set({ name: next.name, locale: next.locale, timeZone: next.timeZone }).where(eq(users.id, owner.id));
    const raw = await recordFacts(tx, {
      streamId: userStreamId(owner.id),
      streamType: USER_STREAM_TYPE,
      events: changes.map((event) => identityEventCodec.encode(event)),
      metadata,
    });
    await tx.insert(auditLog).values(raw.map((stored) => identityAuditEntry(decodeEvent(identityEventCodec, stored) as StoredEvent<IdentityEvent>)));
    return changes.length;
  });
}
