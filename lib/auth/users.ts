import { createHash, randomUUID } from "node:crypto";

import { and, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";

import { addressKey } from "../client-address";
import { parseInput } from "../commands/validation";
import { rowsOf, type Database } from "../db/client";
import { auditLog, users, userSessions, type UserRow } from "../db/schema";
import { toSql } from "../db/statement";
import {
  identityEventCodec,
  SIGNIN_STREAM_TYPE,
  USER_STREAM_TYPE,
  userStreamId,
  userStreams,
  type IdentityEvent,
  type Role,
} from "../domain/identity/events";
import type { CommandMetadata } from "../domain/shared/decider";
import { ValidationError } from "../domain/shared/errors";
import { decodeEvent } from "../event-store/read";
import { recordFacts } from "../event-store/record";
import type { RawEvent, StoredEvent } from "../event-store/types";
import { log } from "../log";
import { identityAuditEntry } from "../projections/identity-projection";
import { identityNotification, notificationWrites } from "../projections/notification-projection";
import { queueVerification } from "./email-links";
import { decoyHash, hashPassword, isHashingBusy, verifyPassword } from "./password";
import { consumeRateLimit, isRateLimited } from "./rate-limits";
import { passwordStrengthProblem } from "./strength";
import { giveBack, releaseOnSuccess, reserveAttempt } from "./throttle";

// Length over composition rules (NIST SP 800-63B), plus an estimate of how guessable it is (zxcvbn-ts).

export const emailSchema = z
  .string({ error: "Enter your email address." })
  .trim()
  .toLowerCase()
  .min(1, "Enter your email address.")
  .max(254, "That email address is too long.")
  .pipe(z.email("Enter a valid email address, like name@example.com."));

export const passwordPolicy = z
  .string({ error: "Choose a password." })
  .min(10, "Use at least 10 characters.")
  .max(128, "Use at most 128 characters.")
  .superRefine((value, ctx) => {
    const problem = passwordStrengthProblem(value, ["ledgerline"]);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const signUpSchema = z
  .object({
    name: z
      .string({ error: "Enter your name." })
      .trim()
      .min(1, "Enter your name.")
      .max(100, "Use at most 100 characters.")
      .refine((value) => !/[\u0000-\u001f\u007f]/.test(value) && value.isWellFormed(), "Use letters, spaces and punctuation only."),
    email: emailSchema,
    password: passwordPolicy,
  })
  .refine((input) => !input.password.toLowerCase().includes(input.email.split("@")[0] ?? "\u0000"), {
    path: ["password"],
    message: "Your password must not contain your email address.",
  });

const EMAIL_TAKEN = "An account with this email already exists. Sign in instead.";

export type SessionUser = { id: string; email: string; name: string; role: Role };

const toSessionUser = (row: UserRow): SessionUser => ({ id: row.id, email: row.email, name: row.name, role: row.role as Role });

/** Audit rows and notifications for identity events, written in the transaction that recorded them. */
export async function projectAudit(tx: Database, raw: RawEvent[]): Promise<void> {
  const decoded = raw.map((event) => decodeEvent(identityEventCodec, event) as StoredEvent<IdentityEvent>);
  const rows = decoded.map((event) => identityAuditEntry(event as StoredEvent<never>));
  if (rows.length > 0) await tx.insert(auditLog).values(rows);
  const told = [];
  for (const event of decoded)
    told.push(identityNotification(event, { newDevice: event.event.type === "SessionStarted" && (await isNewDevice(tx, event)) }));
  for (const write of notificationWrites(told)) await tx.execute(toSql(write));
}

/**
 * A sign-in from a browser (User-Agent) the user never had a session on before, when they have had
 * sessions at all (the first sign-in after sign-up is not news).
 */
async function isNewDevice(tx: Database, event: StoredEvent<IdentityEvent>): Promise<boolean> {
  if (event.event.type !== "SessionStarted") return false;
  const { sessionId, userAgent } = event.event.data;
  const [row] = await tx
    .select({
      others: sql<number>`count(*)::int`,
      same: sql<number>`count(*) filter (where ${userSessions.userAgent} = ${userAgent})::int`,
    })
    .from(userSessions)
    .where(and(eq(userSessions.userId, userStreams.idOf(event.streamId)), ne(userSessions.id, sessionId)));
  return (row?.others ?? 0) > 0 && (row?.same ?? 0) === 0;
}

/** Registers a user and records it as an event, in one transaction. Throws ValidationError. */
export async function registerUser(
  db: Database,
  input: unknown,
  options: {
    role?: Role;
    metadata?: Omit<CommandMetadata, "actor"> & { actor?: CommandMetadata["actor"] };
    /** The client's address, for a sign-up anyone can make (rate limited per address and per email). */
    address?: string | null;
    /**
     * A sign-up by the person themselves: the address starts unconfirmed and a verification link is
     * mailed (in the same transaction), with links to `origin`. Without it (admins, schemes, the demo
     * seed) the address counts as confirmed.
     */
    verification?: { origin: string };
  } = {},
): Promise<SessionUser> {
  const limited = options.address !== undefined;
  if (limited) await consumeRateLimit(db, "signUp", { address: options.address });
  const { name, email, password } = parseInput(signUpSchema, input);
  if (limited) await consumeRateLimit(db, "signUp", { account: email });
  const role = options.role ?? "customer";
  const id = randomUUID();
  // The cheap check first: an email that is taken costs no 128 MiB hash (the insert below still
  // guards against a race).
  if ((await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1)).length > 0) {
    throw new ValidationError({ email: [EMAIL_TAKEN] });
  }
  const passwordHash = await hashPassword(password);
  const metadata: CommandMetadata = {
    now: new Date(),
    origin: "web",
    ...options.metadata,
    actor: options.metadata?.actor ?? { id, role: role === "admin" ? "admin" : "customer" },
  };
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(users)
      .values({ id, email, name, role, passwordHash, emailVerifiedAt: options.verification ? null : metadata.now })
      .onConflictDoNothing()
      .returning();
    const row = inserted[0];
    if (!row) throw new ValidationError({ email: [EMAIL_TAKEN] });
    const raw = await recordFacts(tx, {
      streamId: userStreamId(id),
      streamType: USER_STREAM_TYPE,
      events: [identityEventCodec.encode({ type: "UserRegistered", data: { userId: id, name, email, role } })],
      metadata,
    });
    await projectAudit(tx, raw);
    if (options.verification)
      await queueVerification(tx, { id }, email, {
        origin: options.verification.origin,
        now: metadata.now,
        mailId: `verify:${raw[0]?.eventId ?? id}`,
      });
    return toSessionUser(row);
  });
}

export type SignInResult =
  { ok: true; user: SessionUser } | { ok: false; reason: "BAD_CREDENTIALS" } | { ok: false; reason: "THROTTLED"; retryAfterSeconds: number };

/**
 * Checks an email and password. Throttled keys are refused before the password is looked at;
 * every failure is counted and recorded as a SignInFailed event (so it is audited).
 */
export async function verifyCredentials(db: Database, input: { email: unknown; password: unknown }, ip: string | null): Promise<SignInResult> {
  const parsedEmail = emailSchema.safeParse(input.email);
  const password = typeof input.password === "string" ? input.password.slice(0, 1024) : "";
  // What was tried is recorded as typed, minus what Postgres cannot store (NUL, lone surrogates).
  const email = parsedEmail.success
    ? parsedEmail.data
    : String(input.email ?? "")
        .slice(0, 254)
        .toLowerCase()
        .toWellFormed()
        .replace(/[\u0000-\u001f\u007f]/g, "\ufffd");

  try {
    await consumeRateLimit(db, "signIn", { address: ip, account: email });
  } catch (error) {
    if (isRateLimited(error)) await recordRefusal(db, error.scope === "address" && ip ? `ip:${addressKey(ip)}` : `email:${email}`, email, ip);
    throw error;
  }
  // The attempt is counted before the password is hashed, atomically (one statement), so parallel
  // guesses cannot all pass a check made while the others are still hashing.
  const reservation = await reserveAttempt(db, { email, ip });
  if (!reservation.allowed) {
    // Counted under the locked key (the email's, else the address's): one event per key and window.
    const key = reservation.lockedKeys.find((locked) => locked.startsWith("email:")) ?? reservation.lockedKeys[0] ?? `email:${email}`;
    await recordRefusal(db, key, email, ip);
    log().info(
      { event: "sign-in-throttled", refusedSoFar: reservation.refusedSoFar, retryAfterSeconds: reservation.retryAfterSeconds },
      "sign-in refused while locked",
    );
    return { ok: false, reason: "THROTTLED", retryAfterSeconds: reservation.retryAfterSeconds };
  }
  const row = parsedEmail.success ? (await db.select().from(users).where(eq(users.email, email)))[0] : undefined;
  let valid: boolean;
  try {
    valid = await verifyPassword(password, row?.passwordHash ?? (await decoyHash()));
  } catch (error) {
    // Refused before hashing (the instance is at its limit): the attempt did not happen.
    if (isHashingBusy(error)) await giveBack(db, { email, ip });
    throw error;
  }
  if (row && valid) {
    await releaseOnSuccess(db, { email, ip });
    return { ok: true, user: toSessionUser(row) };
  }
  await recordSignInFailure(db, email, ip, "BAD_CREDENTIALS", row?.id);
  return { ok: false, reason: "BAD_CREDENTIALS" };
}

async function recordSignInFailure(
  db: Database,
  email: string,
  ip: string | null,
  reason: "BAD_CREDENTIALS" | "THROTTLED",
  userId: string | undefined,
) {
  await db.transaction((tx) => appendSignInFailure(tx, email, ip, reason, userId));
}

async function appendSignInFailure(
  tx: Database,
  email: string,
  ip: string | null,
  reason: "BAD_CREDENTIALS" | "THROTTLED",
  userId: string | undefined,
) {
  // Unknown emails get a stream per hashed address: the log says what was tried without a hot stream.
  const streamId = userId ? userStreamId(userId) : `signin-${createHash("sha256").update(email).digest("hex").slice(0, 24)}`;
  const raw = await recordFacts(tx, {
    streamId,
    streamType: userId ? USER_STREAM_TYPE : SIGNIN_STREAM_TYPE,
    events: [identityEventCodec.encode({ type: "SignInFailed", data: { email, reason, ip } })],
    metadata: { now: new Date(), actor: { id: userId ?? "anonymous", role: "customer" }, origin: "web" },
  });
  await projectAudit(tx, raw);
  return raw;
}

/** How long one counted summary of refusals runs before the next one (and its event) starts. */
export const REFUSAL_WINDOW_MINUTES = 15;

/**
 * A sign-in refused without checking the password (throttled or rate limited): counted in the key's
 * summary for the current window, in one upsert. Only the window's first refusal appends an event
 * (SignInFailed THROTTLED, with the email and address it carried), and the summary points at it, so
 * the audit trail shows "N refused sign-ins for x between t1 and t2" while the append-only store
 * grows by one event per key and window, however many requests come. Windows are fixed 15-minute
 * bins, so concurrent first refusals on several instances meet the same row (its lock orders them).
 */
async function recordRefusal(db: Database, key: string, email: string, ip: string | null): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = rowsOf<{ attempts: number; window: string }>(
      await tx.execute(sql`
        insert into refusal_summaries as r (key, window_started_at, first_at, last_at, attempts)
        values (${key}, date_bin(make_interval(mins => ${REFUSAL_WINDOW_MINUTES}::int), now(), timestamptz '2000-01-01 00:00:00+00'), now(), now(), 1)
        on conflict (key, window_started_at) do update set attempts = r.attempts + 1, last_at = greatest(r.last_at, excluded.last_at)
        returning attempts, window_started_at::text as window`),
    );
    const row = rows[0];
    if (!row || Number(row.attempts) !== 1) return;
    const [event] = await appendSignInFailure(tx, email, ip, "THROTTLED", undefined);
    if (!event) return;
    await tx.execute(sql`
      update refusal_summaries set event_position = ${event.globalPosition.toString()}::bigint
      where key = ${key} and window_started_at = ${row.window}::timestamptz`);
  });
}

export async function findUserById(db: Database, id: string): Promise<SessionUser | undefined> {
  const row = (await db.select().from(users).where(eq(users.id, id)))[0];
  return row ? toSessionUser(row) : undefined;
}
