import { createHash, randomBytes } from "node:crypto";

import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { z } from "zod";

import { queueMail } from "../commands/mail";
import { parseInput } from "../commands/validation";
import type { Database } from "../db/client";
import { emailTokens, users } from "../db/schema";
import { ValidationError } from "../domain/shared/errors";
import { hashPassword } from "./password";
import { consumeRateLimit } from "./rate-limits";
import { endSessions, recordIdentityEvents } from "./sessions";
import { releaseOnSuccess } from "./throttle";
import { emailSchema, passwordPolicy, type SessionUser } from "./users";

/**
 * Links sent by email: password reset and email verification. Each is 32 random bytes, stored only
 * as SHA-256 with its user, purpose, address and expiry, and used up by one conditional UPDATE
 * (`used_at is null and expires_at > now`), so two clicks (or two instances) cannot both use it.
 */
export const RESET_TOKEN_MINUTES = 30;
export const VERIFY_TOKEN_HOURS = 24;
export const INVALID_LINK = "This link is not valid any more (it was used, it expired, or it was never ours). Ask for a new one.";

type Purpose = "password-reset" | "verify-email";

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
const tokenInput = z.string({ error: INVALID_LINK }).min(1, INVALID_LINK).max(100, INVALID_LINK);

async function issueToken(tx: Database, user: { id: string }, purpose: Purpose, email: string, now: Date, ttlMs: number): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await tx
    .insert(emailTokens)
    .values({ tokenHash: hashToken(token), userId: user.id, purpose, email, createdAt: now, expiresAt: new Date(now.getTime() + ttlMs) });
  return token;
}

/** Uses a token up, once: the row if it was live, of that purpose; undefined otherwise. */
async function useToken(tx: Database, token: string, purpose: Purpose, now: Date) {
  const [row] = await tx
    .update(emailTokens)
    .set({ usedAt: now })
    .where(
      and(eq(emailTokens.tokenHash, hashToken(token)), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt), gt(emailTokens.expiresAt, now)),
    )
    .returning();
  return row;
}

export type LinkOptions = { ip: string | null; origin: string; now?: Date };

/**
 * Mails a reset link if an account has this address, and does nothing visible otherwise: the caller
 * answers the same either way (no telling who banks here). Counted per address and per email first,
 * whether or not the account exists. Throws ValidationError for a malformed address, RateLimitedError.
 */
export async function requestPasswordReset(db: Database, input: unknown, options: LinkOptions): Promise<void> {
  const { email } = parseInput(z.object({ email: emailSchema }), input);
  await consumeRateLimit(db, "passwordReset", { address: options.ip, account: email });
  const now = options.now ?? new Date();
  const [user] = await db.select({ id: users.id, role: users.role, email: users.email }).from(users).where(eq(users.email, email));
  // Scheme clients are API clients, not people: they have no password to reset.
  if (!user || user.role === "scheme") return;
  await db.transaction(async (tx) => {
    const token = await issueToken(tx, user, "password-reset", user.email, now, RESET_TOKEN_MINUTES * 60_000);
    const raw = await recordIdentityEvents(
      tx,
      user.id,
      user.role as SessionUser["role"],
      [{ type: "PasswordResetRequested", data: { ip: options.ip } }],
      { now },
    );
    await queueMail(tx, {
      mailId: `reset:${raw[0]?.eventId ?? hashToken(token)}`,
      userId: user.id,
      to: user.email,
      template: "password-reset",
      data: { token, origin: options.origin },
      now,
    });
  });
}

/**
 * Sets a new password from a reset link: the link is used up, every session of the user ends, the
 * other reset links die, and the change is recorded (so it is audited and the user is notified).
 * Following the link also proves the address, so it counts as verified.
 */
export async function resetPassword(db: Database, input: unknown, options: { now?: Date } = {}): Promise<{ userId: string }> {
  const { token, password } = parseInput(z.object({ token: tokenInput, password: passwordPolicy }), input);
  const now = options.now ?? new Date();
  // Checked before the hash (cheap, and a dead link should not cost 128 MiB); used up below, atomically.
  const [live] = await db
    .select({ userId: emailTokens.userId, email: users.email })
    .from(emailTokens)
    .innerJoin(users, eq(users.id, emailTokens.userId))
    .where(
      and(
        eq(emailTokens.tokenHash, hashToken(token)),
        eq(emailTokens.purpose, "password-reset"),
        isNull(emailTokens.usedAt),
        gt(emailTokens.expiresAt, now),
      ),
    );
  if (!live) throw new ValidationError({ token: [INVALID_LINK] });
  const emailName = live.email.split("@")[0] ?? "";
  if (emailName && password.toLowerCase().includes(emailName))
    throw new ValidationError({ password: ["Your password must not contain your email address."] });
  const passwordHash = await hashPassword(password);
  const userId = await db.transaction(async (tx) => {
    const used = await useToken(tx, token, "password-reset", now);
    if (!used) throw new ValidationError({ token: [INVALID_LINK] });
    const [user] = await tx
      .update(users)
      .set({ passwordHash, emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, ${now.toISOString()}::timestamptz)` })
      .where(eq(users.id, used.userId))
      .returning({ id: users.id, role: users.role, email: users.email });
    if (!user) throw new ValidationError({ token: [INVALID_LINK] });
    await tx
      .update(emailTokens)
      .set({ usedAt: now })
      .where(and(eq(emailTokens.userId, user.id), eq(emailTokens.purpose, "password-reset"), isNull(emailTokens.usedAt)));
    const sessionUser = { id: user.id, role: user.role as SessionUser["role"] };
    const endedSessions = await endSessions(tx, sessionUser, { all: true, reason: "password-changed", now, tx });
    await recordIdentityEvents(tx, user.id, sessionUser.role, [{ type: "PasswordChanged", data: { endedSessions, via: "reset" } }], {
      now,
      actor: { id: user.id, role: sessionUser.role === "admin" ? "admin" : "customer" },
    });
    return user.id;
  });
  // A locked sign-in (too many wrong passwords) is over once the password is new.
  await releaseOnSuccess(db, { email: live.email, ip: null });
  return { userId };
}

/** Queues a verification link for `email` (the user's address, or the one they want), in the caller's transaction. */
export async function queueVerification(
  tx: Database,
  user: { id: string },
  email: string,
  options: { origin: string; now: Date; mailId: string },
): Promise<void> {
  const token = await issueToken(tx, user, "verify-email", email, options.now, VERIFY_TOKEN_HOURS * 3_600_000);
  await queueMail(tx, {
    mailId: options.mailId,
    userId: user.id,
    to: email,
    template: "verify-email",
    data: { token, email, origin: options.origin },
    now: options.now,
  });
}

/** The signed-in user asks for a new verification link (the first may be lost); rate limited. */
export async function resendVerification(db: Database, user: Pick<SessionUser, "id">, options: LinkOptions): Promise<"sent" | "already-verified"> {
  await consumeRateLimit(db, "emailLink", { address: options.ip, account: user.id });
  const now = options.now ?? new Date();
  const [row] = await db.select({ email: users.email, verifiedAt: users.emailVerifiedAt }).from(users).where(eq(users.id, user.id));
  if (!row || row.verifiedAt) return "already-verified";
  await db.transaction((tx) =>
    queueVerification(tx, user, row.email, { origin: options.origin, now, mailId: `verify:${hashToken(randomBytes(16).toString("hex"))}` }),
  );
  return "sent";
}

/**
 * Asks to change the address: a link goes to the new one (the change happens when it is followed),
 * and the old one is told. Rate limited; the new address must not be anyone's.
 */
export async function requestEmailChange(db: Database, user: Pick<SessionUser, "id" | "role">, input: unknown, options: LinkOptions): Promise<void> {
  const { email } = parseInput(z.object({ email: emailSchema }), input);
  await consumeRateLimit(db, "emailLink", { address: options.ip, account: user.id });
  const now = options.now ?? new Date();
  const [current] = await db.select({ email: users.email }).from(users).where(eq(users.id, user.id));
  if (!current) throw new ValidationError({ email: ["Sign in again."] });
  if (current.email === email) throw new ValidationError({ email: ["That is already your address."] });
  if ((await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1)).length > 0) {
    throw new ValidationError({ email: ["Another account uses that address."] });
  }
  await db.transaction(async (tx) => {
    const raw = await recordIdentityEvents(tx, user.id, user.role, [{ type: "EmailChangeRequested", data: { from: current.email, to: email } }], {
      now,
    });
    const eventId = raw[0]?.eventId ?? randomBytes(16).toString("hex");
    await queueVerification(tx, user, email, { origin: options.origin, now, mailId: `verify:${eventId}` });
    await queueMail(tx, {
      mailId: `email-changing:${eventId}`,
      userId: user.id,
      to: current.email,
      template: "email-changed",
      data: { newEmail: email, origin: options.origin },
      now,
    });
  });
}

/**
 * Follows a verification link: confirms the address, or, for a change, makes the new address the
 * user's (if nobody took it meanwhile). Anyone holding the link may follow it (it proves the inbox,
 * not the session). Returns the address confirmed.
 */
export async function verifyEmail(db: Database, input: unknown, options: { now?: Date } = {}): Promise<{ userId: string; email: string }> {
  const { token } = parseInput(z.object({ token: tokenInput }), input);
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const used = await useToken(tx, token, "verify-email", now);
    if (!used) throw new ValidationError({ token: [INVALID_LINK] });
    const [user] = await tx.select({ id: users.id, role: users.role, email: users.email }).from(users).where(eq(users.id, used.userId));
    if (!user) throw new ValidationError({ token: [INVALID_LINK] });
    const role = user.role as SessionUser["role"];
    if (user.email === used.email) {
      await tx.update(users).set({ emailVerifiedAt: now }).where(eq(users.id, user.id));
      await recordIdentityEvents(tx, user.id, role, [{ type: "EmailVerified", data: { email: used.email } }], { now });
      return { userId: user.id, email: used.email };
    }
    const taken = await tx.select({ id: users.id }).from(users).where(eq(users.email, used.email)).limit(1);
    if (taken.length > 0) throw new ValidationError({ token: ["Another account uses that address now."] });
    await tx.update(users).set({ email: used.email, emailVerifiedAt: now }).where(eq(users.id, user.id));
    await recordIdentityEvents(tx, user.id, role, [{ type: "EmailChanged", data: { from: user.email, to: used.email } }], { now });
    return { userId: user.id, email: used.email };
  });
}
