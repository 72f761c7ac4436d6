import { and, eq, gt, isNull, lt, sql, type SQL } from "drizzle-orm";

import type { Database } from "../db/client";
import { signInChallenges } from "../db/schema";

/**
 * Takes one guess of a live sign-in challenge (not used, not expired, guesses left) with one
 * conditional update, so of any number of parallel guesses at most `maxAttempts` get past it. Both
 * a typed code and a passkey prompt take one. Undefined when the challenge cannot take another;
 * with `secondFactorOnly`, also when the sign-in has no second step.
 */
export async function reserveSignInAttempt(
  db: Database,
  tokenHash: string,
  options: { maxAttempts: number; now: Date; secondFactorOnly?: boolean },
): Promise<{ userId: string; needsSecondFactor: boolean; attempts: number; expiresAt: Date } | undefined> {
  const conditions: SQL[] = [
    eq(signInChallenges.tokenHash, tokenHash),
    isNull(signInChallenges.usedAt),
    gt(signInChallenges.expiresAt, options.now),
    lt(signInChallenges.attempts, options.maxAttempts),
  ];
  if (options.secondFactorOnly) conditions.push(eq(signInChallenges.needsSecondFactor, true));
  const reserved = await db
    .update(signInChallenges)
    .set({ attempts: sql`${signInChallenges.attempts} + 1` })
    .where(and(...conditions))
    .returning({
      userId: signInChallenges.userId,
      needsSecondFactor: signInChallenges.needsSecondFactor,
      attempts: signInChallenges.attempts,
      expiresAt: signInChallenges.expiresAt,
    });
  return reserved[0];
}
