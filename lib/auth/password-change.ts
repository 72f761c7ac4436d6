import { eq } from "drizzle-orm";
import { z } from "zod";

import { parseInput } from "../commands/validation";
import type { Database } from "../db/client";
import { users } from "../db/schema";
import { ValidationError } from "../domain/shared/errors";
import { hashPassword, verifyPassword } from "./password";
import { endSessions, recordIdentityEvents } from "./sessions";
import { releaseOnSuccess, reserveAttempt } from "./throttle";
import { passwordPolicy, type SessionUser } from "./users";

const changeInput = z.object({
  currentPassword: z.string().max(1024).default(""),
  newPassword: passwordPolicy,
});

/**
 * Changes the password after checking the current one (wrong guesses count against the email's
 * sign-in throttle). The new hash, the end of every other session and the event are one transaction.
 */
export async function changePassword(
  db: Database,
  user: Pick<SessionUser, "id" | "role" | "email" | "name">,
  input: unknown,
  options: { keepSessionId: string; ip: string | null; now?: Date },
): Promise<{ endedSessions: number }> {
  const { currentPassword, newPassword } = parseInput(changeInput, input);
  const emailName = user.email.split("@")[0] ?? "";
  if (emailName && newPassword.toLowerCase().includes(emailName)) {
    throw new ValidationError({ newPassword: ["Your password must not contain your email address."] });
  }
  const now = options.now ?? new Date();
  // The guess is counted before the hash, like a sign-in's (lib/auth/throttle.ts).
  const keys = { email: user.email, ip: options.ip };
  const reservation = await reserveAttempt(db, keys);
  if (!reservation.allowed) throw new ValidationError({ currentPassword: ["Too many wrong passwords. Try again in 15 minutes."] });
  const row = (await db.select({ hash: users.passwordHash }).from(users).where(eq(users.id, user.id)))[0];
  if (!row || !(await verifyPassword(currentPassword, row.hash))) {
    throw new ValidationError({ currentPassword: ["That is not your current password."] });
  }
  await releaseOnSuccess(db, keys);
  if (currentPassword === newPassword) throw new ValidationError({ newPassword: ["Choose a password different from the current one."] });
  const passwordHash = await hashPassword(newPassword);
  return db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
    const endedSessions = await endSessions(tx, user, { all: true, except: options.keepSessionId, reason: "password-changed", now, tx });
    await recordIdentityEvents(tx, user.id, user.role, [{ type: "PasswordChanged", data: { endedSessions } }], { now });
    return { endedSessions };
  });
}
