import { createHash, randomBytes } from "node:crypto";

import { and, eq, gt, isNull } from "drizzle-orm";

import type { Database } from "../db/client";
import { signInChallenges, users } from "../db/schema";
import type { Role, SignInMethod } from "../domain/identity/events";
import { checkPasskeySecondFactor, checkPasskeySignIn, hasPasskey, recordPasskeyUse, type RelyingParty } from "./passkeys";
import { hasTotp, spendSecondFactor } from "./second-factor";
import { startSession } from "./sessions";
import { reserveSignInAttempt } from "./sign-in-attempts";
import type { SessionUser } from "./users";

/**
 * The two steps of a sign-in. The password step (verifyCredentials) ends in a challenge: a random
 * secret that the sign-in form carries to Auth.js, which exchanges it, with the second factor's code
 * when the user has one, for a session. A challenge lasts five minutes, allows five code guesses
 * (each guess is reserved with one conditional update before it is checked, so parallel guesses
 * cannot exceed it) and is used once.
 */
export const CHALLENGE_TTL_MS = 5 * 60_000;
export const CHALLENGE_MAX_ATTEMPTS = 5;
const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const hash = (token: string) => createHash("sha256").update(token).digest("hex");

export type SecondFactorMethods = { totp: boolean; passkey: boolean };

export async function createSignInChallenge(
  db: Database,
  userId: string,
  now = new Date(),
): Promise<{ challenge: string; needsSecondFactor: boolean; methods: SecondFactorMethods }> {
  const challenge = randomBytes(32).toString("base64url");
  const methods = { totp: await hasTotp(db, userId), passkey: await hasPasskey(db, userId) };
  const needsSecondFactor = methods.totp || methods.passkey;
  await db
    .insert(signInChallenges)
    .values({ tokenHash: hash(challenge), userId, needsSecondFactor, expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS) });
  return { challenge, needsSecondFactor, methods };
}

export type ChallengeResult = { ok: true; user: SessionUser; sessionId: string } | { ok: false; reason: "EXPIRED" | "BAD_CODE" };

export async function completeSignIn(
  db: Database,
  input: { challenge: unknown; code?: unknown; passkeyAttempt?: unknown; passkeyResponse?: unknown },
  client: { userAgent: string | null; ip: string | null; rp?: RelyingParty },
  now = new Date(),
): Promise<ChallengeResult> {
  if (typeof input.challenge !== "string" || !CHALLENGE_PATTERN.test(input.challenge)) return { ok: false, reason: "EXPIRED" };
  const tokenHash = hash(input.challenge);
  if (input.passkeyAttempt !== undefined && input.passkeyAttempt !== "") return completeWithPasskey(db, tokenHash, input, client, now);
  // Reserve one attempt first: of any number of parallel guesses, at most five get past this.
  const challenge = await reserveSignInAttempt(db, tokenHash, { maxAttempts: CHALLENGE_MAX_ATTEMPTS, now });
  if (!challenge) return { ok: false, reason: "EXPIRED" };
  const row = (await db.select().from(users).where(eq(users.id, challenge.userId)))[0];
  if (!row) return { ok: false, reason: "EXPIRED" };
  const user: SessionUser = { id: row.id, email: row.email, name: row.name, role: row.role as Role };
  // The reserved attempt stays counted whatever follows; the rest is one transaction: the code used
  // up, the challenge used up and the session started, or none of them.
  const outcome = await db.transaction(async (tx): Promise<ChallengeResult> => {
    let method: SignInMethod = "password";
    if (challenge.needsSecondFactor) {
      const used = await spendSecondFactor(tx, user, input.code, now);
      if (!used) return { ok: false, reason: challenge.attempts >= CHALLENGE_MAX_ATTEMPTS ? "EXPIRED" : "BAD_CODE" };
      method = used;
    }
    const consumed = await tx
      .update(signInChallenges)
      .set({ usedAt: now })
      .where(and(eq(signInChallenges.tokenHash, tokenHash), isNull(signInChallenges.usedAt)))
      .returning({ userId: signInChallenges.userId });
    if (consumed.length === 0) return { ok: false, reason: "EXPIRED" };
    const sessionId = await startSession(tx, user, { ...client, method, now });
    return { ok: true, user, sessionId };
  });
  return outcome;
}

/**
 * The second step with a passkey instead of a code. The guess was counted when the passkey prompt
 * was made (beginPasskeySecondFactor); the passkey challenge, bound to this sign-in, is used once.
 */
async function completeWithPasskey(
  db: Database,
  tokenHash: string,
  input: { passkeyAttempt?: unknown; passkeyResponse?: unknown },
  client: { userAgent: string | null; ip: string | null; rp?: RelyingParty },
  now: Date,
): Promise<ChallengeResult> {
  const live = (
    await db
      .select({ userId: signInChallenges.userId, needsSecondFactor: signInChallenges.needsSecondFactor, attempts: signInChallenges.attempts })
      .from(signInChallenges)
      .where(and(eq(signInChallenges.tokenHash, tokenHash), isNull(signInChallenges.usedAt), gt(signInChallenges.expiresAt, now)))
  )[0];
  if (!live || !live.needsSecondFactor || !client.rp) return { ok: false, reason: "EXPIRED" };
  const row = (await db.select().from(users).where(eq(users.id, live.userId)))[0];
  if (!row) return { ok: false, reason: "EXPIRED" };
  const user: SessionUser = { id: row.id, email: row.email, name: row.name, role: row.role as Role };
  const assertion = await checkPasskeySecondFactor(
    db,
    { attempt: input.passkeyAttempt, response: input.passkeyResponse, signInTokenHash: tokenHash, userId: user.id },
    client.rp,
    now,
  );
  const spentAll = live.attempts >= CHALLENGE_MAX_ATTEMPTS;
  if (!assertion) return { ok: false, reason: spentAll ? "EXPIRED" : "BAD_CODE" };
  return db
    .transaction(async (tx): Promise<ChallengeResult> => {
      const consumed = await tx
        .update(signInChallenges)
        .set({ usedAt: now })
        .where(and(eq(signInChallenges.tokenHash, tokenHash), isNull(signInChallenges.usedAt), gt(signInChallenges.expiresAt, now)))
        .returning({ userId: signInChallenges.userId });
      if (consumed.length === 0) return { ok: false, reason: "EXPIRED" };
      // Another use of this passkey moved the counter first: undo the sign-in challenge's use too.
      if (!(await recordPasskeyUse(tx, assertion, now))) tx.rollback();
      const sessionId = await startSession(tx, user, { userAgent: client.userAgent, ip: client.ip, method: "passkey", now });
      return { ok: true, user, sessionId };
    })
    .catch((error: unknown): ChallengeResult => {
      if ((error as { name?: string }).name === "TransactionRollbackError") return { ok: false, reason: "BAD_CODE" };
      throw error;
    });
}

/**
 * "Sign in with a passkey": a discoverable, user-verified passkey proves both factors (something
 * you have, unlocked by something you know or are). The challenge is used once; the counter and
 * the session are written together.
 */
export async function completePasskeySignIn(
  db: Database,
  input: { attempt: unknown; response: unknown },
  client: { userAgent: string | null; ip: string | null; rp: RelyingParty },
  now = new Date(),
): Promise<ChallengeResult> {
  const assertion = await checkPasskeySignIn(db, input, client.rp, now);
  // A payment scheme is an API client, never a portal user.
  if (!assertion || assertion.role === "scheme") return { ok: false, reason: "EXPIRED" };
  const user: SessionUser = { id: assertion.userId, email: assertion.email, name: assertion.name, role: assertion.role };
  return db.transaction(async (tx): Promise<ChallengeResult> => {
    if (!(await recordPasskeyUse(tx, assertion, now))) return { ok: false, reason: "EXPIRED" };
    const sessionId = await startSession(tx, user, { userAgent: client.userAgent, ip: client.ip, method: "passkey-only", now });
    return { ok: true, user, sessionId };
  });
}
