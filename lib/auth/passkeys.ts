import { createHash, randomBytes, randomUUID } from "node:crypto";

import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { decodeAttestationObject, isoBase64URL } from "@simplewebauthn/server/helpers";
import { and, asc, count, eq, gt, isNull, sql } from "drizzle-orm";
import { z } from "zod";

import type { Database } from "../db/client";
import { deadWebauthnChallenges, purgeRows } from "../db/purge";
import { passkeys, users, webauthnChallenges } from "../db/schema";
import type { Role } from "../domain/identity/events";
import { ValidationError } from "../domain/shared/errors";
import { isUuid } from "../domain/shared/uuid";
import { env } from "../env";
import { boundedText, markReauthenticated, recordIdentityEvents } from "./sessions";
import { reserveSignInAttempt } from "./sign-in-attempts";
import type { SessionUser } from "./users";

/**
 * Passkeys (WebAuthn, with @simplewebauthn/server: the ceremonies' parsing and signature checks are
 * a well-kept library's, not ours). Every ceremony's challenge is a row of webauthn_challenges, keyed
 * by the hash of a random attempt token the browser carries back, bound to what began it and used
 * once with one conditional update, so any instance can finish what another began and a challenge
 * cannot be replayed. Only attestation "none" is accepted: we do not judge authenticator makes, and
 * a certificate chain would make the library fetch revocation lists from addresses the client chose.
 */
export const PASSKEY_CHALLENGE_TTL_MS = 5 * 60_000;
export const MAX_PASSKEYS_PER_USER = 10;
export const PASSKEY_NAME_MAX = 60;
/** WebAuthn caps credential ids at 1023 bytes; a COSE public key is far below 1 KiB (RSA-4096 ~550 B). */
export const CREDENTIAL_ID_MAX_BYTES = 1023;
export const PUBLIC_KEY_MAX_BYTES = 1024;
/** The whole response as the browser sends it (JSON): generous for any real authenticator. */
export const RESPONSE_MAX_CHARS = 16_384;
const RP_NAME = "Ledgerline";
/**
 * EdDSA, ES256 and RS256: what every authenticator offers. The library's defaults add post-quantum
 * ML-DSA, whose public keys (1.3 to 2.6 KB) would not fit the bound above, and which authenticators
 * pick first when offered (Chromium's virtual one does).
 */
const SUPPORTED_ALGORITHMS = [-8, -7, -257];
const ATTEMPT_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type RelyingParty = { id: string; origin: string };
export type PasskeyPurpose = "register" | "second-factor" | "passwordless" | "reauth";
type Actor = Pick<SessionUser, "id" | "role">;

const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

/**
 * The relying party: WEBAUTHN_ORIGIN (and WEBAUTHN_RP_ID), else AUTH_URL, else the request's own
 * host (development; Next's server actions already refuse a request whose Origin is not its Host).
 */
export function relyingParty(request: { host: string | null; proto: string | null }): RelyingParty {
  const configured = env().WEBAUTHN_ORIGIN ?? env().AUTH_URL;
  let origin: string;
  if (configured) origin = new URL(configured).origin;
  else {
    const proto = request.proto === "https" ? "https" : "http";
    const host = (request.host ?? "localhost").slice(0, 260);
    try {
      origin = new URL(`${proto}://${host}`).origin;
    } catch {
      origin = "http://localhost";
    }
  }
  return { id: env().WEBAUTHN_RP_ID ?? new URL(origin).hostname, origin };
}

/** The relying party for a request's headers (see relyingParty). */
export const relyingPartyFor = (headers: Headers): RelyingParty =>
  relyingParty({ host: headers.get("host"), proto: headers.get("x-forwarded-proto") });

const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*$/);
const TRANSPORTS = ["ble", "cable", "hybrid", "internal", "nfc", "smart-card", "usb"] as const;
const credentialIdField = base64url(1366).min(1);
const registrationResponseSchema = z.object({
  id: credentialIdField,
  rawId: credentialIdField,
  type: z.literal("public-key"),
  response: z.looseObject({
    clientDataJSON: base64url(4096),
    attestationObject: base64url(8192),
    transports: z.array(z.string().max(20)).max(10).optional(),
  }),
  clientExtensionResults: z.looseObject({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
});
const authenticationResponseSchema = z.object({
  id: credentialIdField,
  rawId: credentialIdField,
  type: z.literal("public-key"),
  response: z.looseObject({
    clientDataJSON: base64url(4096),
    authenticatorData: base64url(4096),
    signature: base64url(1024),
    userHandle: base64url(256).optional(),
  }),
  clientExtensionResults: z.looseObject({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
});

/** Parses what the browser sent (a JSON string), bounded before and after JSON.parse; null if malformed. */
function parseResponse<T>(schema: z.ZodType<T>, input: unknown): T | null {
  if (typeof input !== "string" || input.length > RESPONSE_MAX_CHARS) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(input));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const nameSchema = z
  .string()
  .transform((value) => boundedText(value, 200).trim())
  .pipe(z.string().min(1, "Give the passkey a name.").max(PASSKEY_NAME_MAX, `At most ${PASSKEY_NAME_MAX} characters.`));

function parseName(input: unknown): string {
  const parsed = nameSchema.safeParse(typeof input === "string" ? input : "");
  if (!parsed.success) throw new ValidationError({ name: parsed.error.issues.map((issue) => issue.message) });
  return parsed.data;
}

/** Stores a new challenge and returns the attempt token that names it (the browser carries it back). */
async function storeChallenge(
  db: Database,
  values: { purpose: PasskeyPurpose; challenge: string; userId?: string; sessionId?: string; signInTokenHash?: string; expiresAt: Date },
  now: Date,
): Promise<string> {
  const attempt = randomBytes(32).toString("base64url");
  await db.insert(webauthnChallenges).values({ attemptHash: sha256(attempt), createdAt: now, ...values });
  // Each new challenge clears a few dead ones, so the table holds about the last five minutes'
  // worth (which the sign-in rate limits bound) with no scheduled job.
  await purgeWebauthnChallenges(db, now, 20);
  return attempt;
}

/**
 * Uses a challenge up: one conditional update, so of two requests with one attempt only one gets
 * it, and an expired, spent or differently bound one gets nothing.
 */
async function spendChallenge(
  db: Database,
  attempt: unknown,
  bound: { purpose: PasskeyPurpose; userId?: string; sessionId?: string; signInTokenHash?: string },
  now: Date,
): Promise<{ challenge: string; userId: string | null } | null> {
  if (typeof attempt !== "string" || !ATTEMPT_PATTERN.test(attempt)) return null;
  const rows = await db
    .update(webauthnChallenges)
    .set({ usedAt: now })
    .where(
      and(
        eq(webauthnChallenges.attemptHash, sha256(attempt)),
        eq(webauthnChallenges.purpose, bound.purpose),
        isNull(webauthnChallenges.usedAt),
        gt(webauthnChallenges.expiresAt, now),
        bound.userId ? eq(webauthnChallenges.userId, bound.userId) : undefined,
        bound.sessionId ? eq(webauthnChallenges.sessionId, bound.sessionId) : undefined,
        bound.signInTokenHash ? eq(webauthnChallenges.signInTokenHash, bound.signInTokenHash) : undefined,
      ),
    )
    .returning({ challenge: webauthnChallenges.challenge, userId: webauthnChallenges.userId });
  return rows[0] ?? null;
}

const transportsOf = (row: { transports: string }) => (row.transports ? row.transports.split(",") : []);

// ---------------------------------------------------------------- registration (enrolment)

export type PasskeyOptions<T> = { attempt: string; options: T };

/** Options for adding a passkey in a session (the caller checked the recent proof of identity). */
export async function beginPasskeyRegistration(
  db: Database,
  user: Pick<SessionUser, "id" | "email" | "name">,
  sessionId: string,
  rp: RelyingParty,
  now = new Date(),
): Promise<PasskeyOptions<PublicKeyCredentialCreationOptionsJSON>> {
  const existing = await db
    .select({ credentialId: passkeys.credentialId, transports: passkeys.transports })
    .from(passkeys)
    .where(eq(passkeys.userId, user.id));
  if (existing.length >= MAX_PASSKEYS_PER_USER)
    throw new ValidationError({ passkey: [`You have ${MAX_PASSKEYS_PER_USER} passkeys, the most allowed. Remove one first.`] });
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.name,
    userID: new TextEncoder().encode(user.id),
    attestationType: "none",
    excludeCredentials: existing.map((row) => ({ id: row.credentialId, transports: transportsOf(row) })),
    // Discoverable, so the passkey alone can sign in; verified where the authenticator can.
    authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
    supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    timeout: PASSKEY_CHALLENGE_TTL_MS,
  });
  const attempt = await storeChallenge(
    db,
    { purpose: "register", challenge: options.challenge, userId: user.id, sessionId, expiresAt: new Date(now.getTime() + PASSKEY_CHALLENGE_TTL_MS) },
    now,
  );
  return { attempt, options };
}

const EXPIRED_CEREMONY = "This passkey request has expired or was already used. Try again.";

export type PasskeySummary = { id: string; name: string; createdAt: Date; lastUsedAt: Date | null; backedUp: boolean; deviceType: string };

/**
 * Checks the browser's answer to the registration options and stores the passkey, with its event,
 * in one transaction. Throws ValidationError for anything wrong (nothing is stored then).
 */
export async function finishPasskeyRegistration(
  db: Database,
  user: Actor,
  sessionId: string,
  input: { attempt: unknown; response: unknown; name: unknown },
  rp: RelyingParty,
  now = new Date(),
): Promise<PasskeySummary> {
  const name = parseName(input.name);
  const response = parseResponse<RegistrationResponseJSON>(registrationResponseSchema as z.ZodType<RegistrationResponseJSON>, input.response);
  if (!response) throw new ValidationError({ passkey: ["The browser's passkey answer was not understood. Try again."] });
  const spent = await spendChallenge(db, input.attempt, { purpose: "register", userId: user.id, sessionId }, now);
  if (!spent) throw new ValidationError({ passkey: [EXPIRED_CEREMONY] });
  let fmt: unknown;
  try {
    fmt = decodeAttestationObject(isoBase64URL.toBuffer(response.response.attestationObject)).get("fmt");
  } catch {
    fmt = null;
  }
  if (fmt !== "none") throw new ValidationError({ passkey: ["This authenticator sent an attestation we do not accept. Try another passkey."] });
  let info;
  try {
    const verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: spent.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
    if (!verified.verified) throw new Error("not verified");
    info = verified.registrationInfo;
  } catch {
    throw new ValidationError({ passkey: ["That passkey could not be verified. Try again."] });
  }
  const { credential } = info;
  if (isoBase64URL.toBuffer(credential.id).length > CREDENTIAL_ID_MAX_BYTES || credential.publicKey.length > PUBLIC_KEY_MAX_BYTES) {
    throw new ValidationError({ passkey: ["This passkey is larger than we can store. Try another."] });
  }
  const transports = (credential.transports ?? []).filter((t): t is (typeof TRANSPORTS)[number] => (TRANSPORTS as readonly string[]).includes(t));
  const id = randomUUID();
  const row = {
    id,
    userId: user.id,
    credentialId: credential.id,
    publicKey: isoBase64URL.fromBuffer(credential.publicKey),
    counter: credential.counter,
    transports: [...new Set(transports)].join(","),
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
    name,
    createdAt: now,
  };
  await db.transaction(async (tx) => {
    // The user's row is locked so that the count and the insert cannot race another enrolment.
    await tx.select({ id: users.id }).from(users).where(eq(users.id, user.id)).for("update");
    const [held] = await tx.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, user.id));
    if (Number(held?.n ?? 0) >= MAX_PASSKEYS_PER_USER)
      throw new ValidationError({ passkey: [`You have ${MAX_PASSKEYS_PER_USER} passkeys, the most allowed. Remove one first.`] });
    const inserted = await tx.insert(passkeys).values(row).onConflictDoNothing({ target: passkeys.credentialId }).returning({ id: passkeys.id });
    if (inserted.length === 0) throw new ValidationError({ passkey: ["This passkey is already registered."] });
    await recordIdentityEvents(
      tx,
      user.id,
      user.role,
      [{ type: "PasskeyRegistered", data: { passkeyId: id, name, deviceType: row.deviceType, backedUp: row.backedUp } }],
      { now },
    );
  });
  return { id, name, createdAt: now, lastUsedAt: null, backedUp: row.backedUp, deviceType: row.deviceType };
}

// ---------------------------------------------------------------- the user's passkeys

export async function listPasskeys(db: Database, userId: string): Promise<PasskeySummary[]> {
  return db
    .select({
      id: passkeys.id,
      name: passkeys.name,
      createdAt: passkeys.createdAt,
      lastUsedAt: passkeys.lastUsedAt,
      backedUp: passkeys.backedUp,
      deviceType: passkeys.deviceType,
    })
    .from(passkeys)
    .where(eq(passkeys.userId, userId))
    .orderBy(asc(passkeys.createdAt))
    .limit(MAX_PASSKEYS_PER_USER * 2);
}

export async function hasPasskey(db: Database, userId: string): Promise<boolean> {
  const rows = await db.select({ id: passkeys.id }).from(passkeys).where(eq(passkeys.userId, userId)).limit(1);
  return rows.length > 0;
}

/** Renames one of the user's passkeys; another user's id, or an unknown one, changes nothing (false). */
export async function renamePasskey(db: Database, user: Actor, input: { passkeyId: unknown; name: unknown }, now = new Date()): Promise<boolean> {
  const name = parseName(input.name);
  if (typeof input.passkeyId !== "string" || !isUuid(input.passkeyId)) return false;
  const passkeyId = input.passkeyId;
  return db.transaction(async (tx) => {
    const before = (
      await tx
        .select({ name: passkeys.name })
        .from(passkeys)
        .where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, user.id)))
        .for("update")
    )[0];
    if (!before) return false;
    if (before.name === name) return true;
    await tx
      .update(passkeys)
      .set({ name })
      .where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, user.id)));
    await recordIdentityEvents(tx, user.id, user.role, [{ type: "PasskeyRenamed", data: { passkeyId, from: before.name, to: name } }], { now });
    return true;
  });
}

/**
 * Removes one of the user's passkeys. An admin keeps at least one second factor: the user's row is
 * locked first (as removing the authenticator app does), so two removals cannot both take the last.
 */
export async function removePasskey(
  db: Database,
  user: Actor,
  passkeyId: unknown,
  now = new Date(),
): Promise<"removed" | "not-found" | "last-factor"> {
  if (typeof passkeyId !== "string" || !isUuid(passkeyId)) return "not-found";
  return db.transaction(async (tx) => {
    const owner = (
      await tx
        .select({ totp: sql<boolean>`${users.totpSecret} is not null` })
        .from(users)
        .where(eq(users.id, user.id))
        .for("update")
    )[0];
    if (!owner) return "not-found";
    if (user.role === "admin" && !owner.totp) {
      const [held] = await tx.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, user.id));
      if (Number(held?.n ?? 0) <= 1) return "last-factor";
    }
    const removed = await tx
      .delete(passkeys)
      .where(and(eq(passkeys.id, passkeyId), eq(passkeys.userId, user.id)))
      .returning({ name: passkeys.name });
    if (removed.length === 0) return "not-found";
    await recordIdentityEvents(tx, user.id, user.role, [{ type: "PasskeyRemoved", data: { passkeyId, name: removed[0]!.name } }], { now });
    return "removed";
  });
}

// ---------------------------------------------------------------- authentication

/** Options for the second-factor step of a sign-in whose password was right; null if it has none or is over. */
export async function beginPasskeySecondFactor(
  db: Database,
  signInChallenge: unknown,
  rp: RelyingParty,
  maxAttempts: number,
  now = new Date(),
): Promise<PasskeyOptions<PublicKeyCredentialRequestOptionsJSON> | null> {
  if (typeof signInChallenge !== "string" || !ATTEMPT_PATTERN.test(signInChallenge)) return null;
  const tokenHash = sha256(signInChallenge);
  // Each passkey prompt takes one of the sign-in's guesses (one conditional update), so a sign-in
  // cannot be made to store challenges without end.
  const signIn = await reserveSignInAttempt(db, tokenHash, { maxAttempts, now, secondFactorOnly: true });
  if (!signIn) return null;
  const options = await askForHeldPasskeys(db, signIn.userId, rp);
  if (!options) return null;
  // Never outlives the sign-in it belongs to.
  const expiresAt = new Date(Math.min(now.getTime() + PASSKEY_CHALLENGE_TTL_MS, signIn.expiresAt.getTime()));
  const attempt = await storeChallenge(
    db,
    { purpose: "second-factor", challenge: options.challenge, userId: signIn.userId, signInTokenHash: tokenHash, expiresAt },
    now,
  );
  return { attempt, options };
}

/** Options for "Sign in with a passkey": no user yet, so the browser offers the site's discoverable passkeys. */
export async function beginPasskeySignIn(
  db: Database,
  rp: RelyingParty,
  now = new Date(),
): Promise<PasskeyOptions<PublicKeyCredentialRequestOptionsJSON>> {
  const options = await generateAuthenticationOptions({ rpID: rp.id, userVerification: "required", timeout: PASSKEY_CHALLENGE_TTL_MS });
  const attempt = await storeChallenge(
    db,
    { purpose: "passwordless", challenge: options.challenge, expiresAt: new Date(now.getTime() + PASSKEY_CHALLENGE_TTL_MS) },
    now,
  );
  return { attempt, options };
}

export type PasskeyAssertion = { passkeyId: string; userId: string; newCounter: number; backedUp: boolean; oldCounter: number };

/**
 * Checks an assertion against a spent challenge: the credential must be known (and, when the
 * challenge names a user, that user's), the origin and RP id ours, the signature good and the
 * counter moving forward (the library refuses one that went back: a cloned authenticator).
 */
async function checkAssertion(
  db: Database,
  spent: { challenge: string; userId: string | null },
  input: unknown,
  rp: RelyingParty,
  requireUserVerification: boolean,
): Promise<PasskeyAssertion | null> {
  const response = parseResponse<AuthenticationResponseJSON>(authenticationResponseSchema as z.ZodType<AuthenticationResponseJSON>, input);
  if (!response) return null;
  const row = (await db.select().from(passkeys).where(eq(passkeys.credentialId, response.id)))[0];
  if (!row) return null;
  if (spent.userId !== null && row.userId !== spent.userId) return null;
  // A discoverable credential names its user; it must be the one the passkey was registered to.
  if (response.response.userHandle && isoBase64URL.toUTF8String(response.response.userHandle) !== row.userId) return null;
  try {
    const verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: spent.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: row.credentialId, publicKey: isoBase64URL.toBuffer(row.publicKey), counter: row.counter, transports: transportsOf(row) },
      requireUserVerification,
    });
    if (!verified.verified) return null;
    const info = verified.authenticationInfo;
    return { passkeyId: row.id, userId: row.userId, newCounter: info.newCounter, backedUp: info.credentialBackedUp, oldCounter: row.counter };
  } catch {
    return null;
  }
}

/**
 * Records the use: the counter moves only from the value the check saw (compare and set), so two
 * assertions checked against one counter cannot both count. Returns false if the other won.
 */
export async function recordPasskeyUse(tx: Database, assertion: PasskeyAssertion, now: Date): Promise<boolean> {
  const updated = await tx
    .update(passkeys)
    .set({ counter: assertion.newCounter, backedUp: assertion.backedUp, lastUsedAt: now })
    .where(and(eq(passkeys.id, assertion.passkeyId), eq(passkeys.counter, assertion.oldCounter)))
    .returning({ id: passkeys.id });
  return updated.length > 0;
}

/** The second factor of a sign-in: spends the passkey challenge bound to this sign-in and checks the answer. */
export async function checkPasskeySecondFactor(
  db: Database,
  input: { attempt: unknown; response: unknown; signInTokenHash: string; userId: string },
  rp: RelyingParty,
  now = new Date(),
): Promise<PasskeyAssertion | null> {
  const spent = await spendChallenge(
    db,
    input.attempt,
    { purpose: "second-factor", userId: input.userId, signInTokenHash: input.signInTokenHash },
    now,
  );
  if (!spent) return null;
  return checkAssertion(db, spent, input.response, rp, false);
}

/** A passkey alone: spends the sign-in's challenge and checks a user-verified answer (both factors). */
export async function checkPasskeySignIn(
  db: Database,
  input: { attempt: unknown; response: unknown },
  rp: RelyingParty,
  now = new Date(),
): Promise<(PasskeyAssertion & { role: Role; email: string; name: string }) | null> {
  const spent = await spendChallenge(db, input.attempt, { purpose: "passwordless" }, now);
  if (!spent) return null;
  const assertion = await checkAssertion(db, spent, input.response, rp, true);
  if (!assertion) return null;
  const user = (await db.select({ role: users.role, email: users.email, name: users.name }).from(users).where(eq(users.id, assertion.userId)))[0];
  if (!user) return null;
  return { ...assertion, role: user.role as Role, email: user.email, name: user.name };
}

/** A prompt for any of the user's passkeys (a second factor or a re-authentication); null when they have none. */
async function askForHeldPasskeys(db: Database, userId: string, rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
  const held = await db
    .select({ credentialId: passkeys.credentialId, transports: passkeys.transports })
    .from(passkeys)
    .where(eq(passkeys.userId, userId));
  if (held.length === 0) return null;
  return generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: held.map((row) => ({ id: row.credentialId, transports: transportsOf(row) })),
    userVerification: "preferred",
    timeout: PASSKEY_CHALLENGE_TTL_MS,
  });
}

/** Options for confirming identity inside a session (the confirm page), bound to that session. */
export async function beginPasskeyReauth(
  db: Database,
  user: Actor,
  sessionId: string,
  rp: RelyingParty,
  now = new Date(),
): Promise<PasskeyOptions<PublicKeyCredentialRequestOptionsJSON> | null> {
  const options = await askForHeldPasskeys(db, user.id, rp);
  if (!options) return null;
  const attempt = await storeChallenge(
    db,
    { purpose: "reauth", challenge: options.challenge, userId: user.id, sessionId, expiresAt: new Date(now.getTime() + PASSKEY_CHALLENGE_TTL_MS) },
    now,
  );
  return { attempt, options };
}

/**
 * Checks a passkey's answer on the confirm page and, in one transaction, records its use and the
 * session's fresh proof of identity. False for anything wrong.
 */
export async function confirmWithPasskey(
  db: Database,
  user: Actor,
  sessionId: string,
  input: { attempt: unknown; response: unknown },
  rp: RelyingParty,
  now = new Date(),
): Promise<boolean> {
  const spent = await spendChallenge(db, input.attempt, { purpose: "reauth", userId: user.id, sessionId }, now);
  if (!spent) return false;
  const assertion = await checkAssertion(db, spent, input.response, rp, false);
  if (!assertion) return false;
  return db
    .transaction(async (tx) => {
      if (!(await recordPasskeyUse(tx, assertion, now))) return false;
      if (!(await markReauthenticated(tx, user, sessionId, "passkey", now))) tx.rollback();
      return true;
    })
    .catch((error: unknown) => {
      if ((error as { name?: string }).name === "TransactionRollbackError") return false;
      throw error;
    });
}

/** Deletes up to `limit` challenges a minute past their expiry (they can never be used). */
export async function purgeWebauthnChallenges(db: Database, now = new Date(), limit = 1000): Promise<number> {
  return purgeRows(db, webauthnChallenges, deadWebauthnChallenges(now), limit);
}
