import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { rowsOf } from "@/lib/db/client";
import { emailTokens, idempotencyKeys, mailOutbox, refusalSummaries, signInChallenges, webauthnChallenges } from "@/lib/db/schema";
import { purgeExpiredRows, RETENTION_DAYS } from "@/lib/process-managers/retention";

import { backends, type TestDatabase } from "../support/databases";

const DAY = 86_400_000;

describe.each(backends)("retention of operational rows on $name", (backend) => {
  let t: TestDatabase;
  const now = new Date();
  const ago = (days: number) => new Date(now.getTime() - days * DAY);

  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  it("forgets final mails, refusal summaries, expired links and challenges past their retention, and keeps everything else", async () => {
    const old = RETENTION_DAYS.mail + 1;
    const mail = (mailId: string, status: string, createdAt: Date) => ({
      mailId,
      toAddress: "a@example.com",
      template: "money-received",
      data: {},
      status,
      nextAttemptAt: createdAt,
      createdAt,
    });
    await t.db.insert(mailOutbox).values([
      mail("old-sent", "sent", ago(old)),
      mail("old-kept", "kept", ago(old)),
      mail("old-failed", "failed", ago(old)),
      // Still to deliver, however old: a retention must never lose a mail that was not sent.
      mail("old-pending", "pending", ago(old)),
      mail("new-sent", "sent", ago(1)),
    ]);
    // One key, two windows: only the old window goes (the key alone does not pick the row).
    const refusal = (windowStartedAt: Date) => ({
      key: "email:victim@example.com",
      windowStartedAt,
      firstAt: windowStartedAt,
      lastAt: windowStartedAt,
      attempts: 40,
    });
    await t.db.insert(refusalSummaries).values([refusal(ago(RETENTION_DAYS.refusalSummaries + 1)), refusal(ago(2))]);
    const link = (tokenHash: string, expiresAt: Date) => ({
      tokenHash,
      userId: "u1",
      purpose: "password-reset" as const,
      email: "a@example.com",
      createdAt: ago(10),
      expiresAt,
    });
    await t.db.insert(emailTokens).values([link("expired-link", ago(2)), link("live-link", new Date(now.getTime() + 3_600_000))]);
    await t.db.insert(signInChallenges).values([
      { tokenHash: "expired-challenge", userId: "u1", needsSecondFactor: true, expiresAt: ago(2) },
      { tokenHash: "live-challenge", userId: "u1", needsSecondFactor: true, expiresAt: new Date(now.getTime() + 300_000) },
    ]);
    const webauthn = (attemptHash: string, expiresAt: Date) => ({
      attemptHash,
      purpose: "passwordless",
      challenge: "c",
      createdAt: ago(3),
      expiresAt,
    });
    await t.db
      .insert(webauthnChallenges)
      .values([webauthn("expired-webauthn", ago(1)), webauthn("live-webauthn", new Date(now.getTime() + 300_000))]);
    const key = (scope: string, keyText: string, createdAt: Date) => ({ scope, key: keyText, requestHash: "h", result: {}, createdAt });
    await t.db.insert(idempotencyKeys).values([key("api:u1", "old", ago(3)), key("api:u1", "new", ago(0)), key("transfer", "t1:debit", ago(400))]);

    const report = await purgeExpiredRows(t.db, now);
    expect(report).toEqual({ requestKeys: 1, mails: 3, refusalSummaries: 1, emailLinks: 1, signInChallenges: 1, webauthnChallenges: 1 });

    const ids = async (table: string, column: string) =>
      rowsOf<{ id: unknown }>(await t.db.execute(sql.raw(`select ${column} as id from ${table} order by 1`))).map((row) => String(row.id));
    expect(await ids("mail_outbox", "mail_id")).toEqual(["new-sent", "old-pending"]);
    expect(await ids("refusal_summaries", "attempts")).toEqual(["40"]);
    expect(await ids("email_tokens", "token_hash")).toEqual(["live-link"]);
    expect(await ids("sign_in_challenges", "token_hash")).toEqual(["live-challenge"]);
    expect(await ids("webauthn_challenges", "attempt_hash")).toEqual(["live-webauthn"]);
    expect(await ids("idempotency_keys", "key")).toEqual(["new", "t1:debit"]);

    // A second run finds nothing more: any number of instances may run it.
    expect(Object.values(await purgeExpiredRows(t.db, now)).every((count) => count === 0)).toBe(true);
  });
});
