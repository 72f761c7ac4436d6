import { and, inArray, lt, type SQL } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";

import type { Database } from "../db/client";
import { deadWebauthnChallenges, purgeRows } from "../db/purge";
import { emailTokens, mailOutbox, refusalSummaries, signInChallenges, webauthnChallenges } from "../db/schema";
import { purgeIdempotencyKeys } from "../event-store/idempotency";

/**
 * How long the operational rows that only grow are kept (decision 0042). Each is bounded by what a
 * client may write per request, and here in time, so that sign-in storms or years of mail do not
 * fill the database. None of them is a fact: the events keep every fact.
 */
export const RETENTION_DAYS = {
  /** Mails delivered, kept (no SMTP_URL) or given up on: support can look a month back. */
  mail: 30,
  /** Counted sign-in refusals: the audit row keeps its SignInFailed event, the count goes with the row. */
  refusalSummaries: 90,
  /** Email links and sign-in challenges past their expiry can never be used again. */
  expiredSecrets: 1,
} as const;

/** Most rows one purge deletes per table, so one run is a short transaction whatever the backlog. */
const PURGE_BATCH = 5_000;

export type PurgeReport = {
  requestKeys: number;
  mails: number;
  refusalSummaries: number;
  emailLinks: number;
  signInChallenges: number;
  webauthnChallenges: number;
};

const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);

const purge = (db: Database, table: PgTable, where: SQL | undefined) => purgeRows(db, table, where, PURGE_BATCH);

/**
 * Forgets what is past its retention: old request keys (transfer legs' are kept), final mails,
 * refusal summaries, expired email links, sign-in and WebAuthn challenges. Run by the background
 * loop and the cron route; any number of instances may run it at once (idempotent deletes).
 */
export async function purgeExpiredRows(db: Database, now = new Date()): Promise<PurgeReport> {
  const secrets = daysBefore(now, RETENTION_DAYS.expiredSecrets);
  return {
    requestKeys: await purgeIdempotencyKeys(db),
    mails: await purge(
      db,
      mailOutbox,
      and(inArray(mailOutbox.status, ["sent", "kept", "failed"]), lt(mailOutbox.createdAt, daysBefore(now, RETENTION_DAYS.mail))),
    ),
    refusalSummaries: await purge(db, refusalSummaries, lt(refusalSummaries.lastAt, daysBefore(now, RETENTION_DAYS.refusalSummaries))),
    emailLinks: await purge(db, emailTokens, lt(emailTokens.expiresAt, secrets)),
    signInChallenges: await purge(db, signInChallenges, lt(signInChallenges.expiresAt, secrets)),
    webauthnChallenges: await purge(db, webauthnChallenges, deadWebauthnChallenges(now)),
  };
}
