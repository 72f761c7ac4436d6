import "server-only";

import { database } from "../db";
import { env, type Env } from "../env";
import { keptMails, type KeptMailDto } from "../read-models/mailbox";

/**
 * The development mailbox shows every kept mail (reset links included) to anyone who opens it, so
 * it exists only on the embedded database (never with DATABASE_URL), in development, or in
 * production when DEV_MAILBOX=true (the end-to-end suite). Everywhere else it is "not found".
 */
export function devMailboxEnabled(settings: Pick<Env, "DATABASE_URL" | "DEV_MAILBOX" | "NODE_ENV"> = env()): boolean {
  if (settings.DATABASE_URL) return false;
  if (settings.DEV_MAILBOX === "false") return false;
  return settings.DEV_MAILBOX === "true" || settings.NODE_ENV !== "production";
}

export async function devMailbox(): Promise<KeptMailDto[] | null> {
  if (!devMailboxEnabled()) return null;
  const { db } = await database();
  return keptMails(db);
}
