import { createHash, randomBytes } from "node:crypto";

import { and, count, eq, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import { generateSecret, generateURI, verify } from "otplib";
import QRCode from "qrcode";

import type { Database } from "../db/client";
import { passkeys, recoveryCodes, users } from "../db/schema";
import type { SignInMethod } from "../domain/identity/events";
import { ValidationError } from "../domain/shared/errors";
import { hasSecondFactorSql, recordIdentityEvents } from "./sessions";
import type { SessionUser } from "./users";

/**
 * A TOTP second factor (RFC 6238: SHA-1, six digits, 30 s, with otplib, a maintained and audited
 * implementation rather than our own HMAC code) plus ten single-use recovery codes. A code's time step
 * is accepted once per user (the newest accepted step is stored), so an overheard code cannot be
 * replayed. Enrolment and removal are events on the user's stream.
 */
export const TOTP_ISSUER = "Ledgerline";
export const RECOVERY_CODE_COUNT = 10;
/** One step either side: a phone clock a little off still works. */
const EPOCH_TOLERANCE_SECONDS = 30;
const SECRET_PATTERN = /^[A-Z2-7]{32}$/;
const TOTP_CODE = /^\d{6}$/;

type Actor = Pick<SessionUser, "id" | "role">;

export const newTotpSecret = (): string => generateSecret({ length: 20 });

/** The otpauth:// URI and a QR code of it as an SVG data URL, made here (nothing leaves the server). */
export async function totpEnrolment(email: string, secret: string): Promise<{ uri: string; qrDataUrl: string }> {
  const uri = generateURI({ issuer: TOTP_ISSUER, label: email, secret });
  const svg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return { uri, qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}` };
}

/** Normalises what a person types for a recovery code: case, spaces and dashes do not matter. */
const normaliseRecoveryCode = (code: string) => code.toUpperCase().replace(/[\s-]/g, "");
const hashRecoveryCode = (code: string) => createHash("sha256").update(normaliseRecoveryCode(code)).digest("hex");

/** 16 base32 characters (80 random bits) shown as XXXX-XXXX-XXXX-XXXX. */
function newRecoveryCode(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bytes = randomBytes(16);
  let code = "";
  for (let i = 0; i < 16; i++) code += alphabet[bytes[i]! & 31];
  return code.match(/.{4}/g)!.join("-");
}

async function totpStep(secret: string, code: string, afterTimeStep: number | null, now: Date): Promise<number | null> {
  if (!TOTP_CODE.test(code)) return null;
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: EPOCH_TOLERANCE_SECONDS,
    ...(afterTimeStep !== null ? { afterTimeStep } : {}),
  });
  // The functional API's result type is shared with HOTP; a TOTP check always carries its time step.
  const timeStep = result.valid ? (result as { timeStep?: number }).timeStep : undefined;
  return typeof timeStep === "number" ? timeStep : null;
}

/**
 * Checks a six-digit code or a recovery code of the user's, using it up: a TOTP step is claimed
 * with one conditional update (two requests with one code: one wins), a recovery code likewise.
 * Returns how the user proved it, or null.
 */
export async function spendSecondFactor(db: Database, user: Actor, input: unknown, now = new Date()): Promise<SignInMethod | null> {
  if (typeof input !== "string" || input.length > 40) return null;
  const code = input.trim();
  const row = (await db.select({ secret: users.totpSecret, lastStep: users.totpLastStep }).from(users).where(eq(users.id, user.id)))[0];
  if (!row?.secret) return null;
  if (TOTP_CODE.test(code.replace(/\s/g, ""))) {
    const step = await totpStep(row.secret, code.replace(/\s/g, ""), row.lastStep, now);
    if (step === null) return null;
    const claimed = await db
      .update(users)
      .set({ totpLastStep: step })
      .where(and(eq(users.id, user.id), isNotNull(users.totpSecret), or(isNull(users.totpLastStep), lt(users.totpLastStep, step))))
      .returning({ id: users.id });
    return claimed.length > 0 ? "second-factor" : null;
  }
  return db.transaction(async (tx) => {
    const used = await tx
      .update(recoveryCodes)
      .set({ usedAt: now })
      .where(and(eq(recoveryCodes.userId, user.id), eq(recoveryCodes.codeHash, hashRecoveryCode(code)), isNull(recoveryCodes.usedAt)))
      .returning({ userId: recoveryCodes.userId });
    if (used.length === 0) return null;
    const [left] = await tx
      .select({ n: count() })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, user.id), isNull(recoveryCodes.usedAt)));
    await recordIdentityEvents(tx, user.id, user.role, [{ type: "RecoveryCodeUsed", data: { remaining: Number(left?.n ?? 0) } }], { now });
    return "recovery-code" as const;
  });
}

export async function hasSecondFactor(db: Database, userId: string): Promise<boolean> {
  const rows = await db.select({ on: hasSecondFactorSql }).from(users).where(eq(users.id, userId));
  return Boolean(rows[0]?.on);
}

/** Whether the user has an authenticator app (TOTP); passkeys are in lib/auth/passkeys.ts. */
export async function hasTotp(db: Database, userId: string): Promise<boolean> {
  const rows = await db
    .select({ on: sql<boolean>`${users.totpSecret} is not null` })
    .from(users)
    .where(eq(users.id, userId));
  return Boolean(rows[0]?.on);
}

/**
 * Enrols the authenticator app whose secret the enrolment page showed, once the user types a code it
 * makes (so we know the app has it). Returns the recovery codes: the only time they are shown.
 * Throws ValidationError for a wrong code or a user who already has one.
 */
export async function enrolTotp(db: Database, user: Actor, input: { secret: unknown; code: unknown }, now = new Date()): Promise<string[]> {
  const secret = typeof input.secret === "string" ? input.secret : "";
  const code = typeof input.code === "string" ? input.code.replace(/\s/g, "").slice(0, 12) : "";
  if (!SECRET_PATTERN.test(secret)) throw new ValidationError({ code: ["This form has expired. Reload the page and scan the new code."] });
  const step = await totpStep(secret, code, null, now);
  if (step === null) throw new ValidationError({ code: ["That code does not match. Type the six digits your app shows now."] });
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await db.transaction(async (tx) => {
    const updated = await tx
      .update(users)
      .set({ totpSecret: secret, totpLastStep: step })
      .where(and(eq(users.id, user.id), isNull(users.totpSecret)))
      .returning({ id: users.id });
    if (updated.length === 0) throw new ValidationError({ code: ["An authenticator app is already set up. Remove it first to set up another."] });
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
    await tx.insert(recoveryCodes).values(codes.map((c) => ({ userId: user.id, codeHash: hashRecoveryCode(c) })));
    await recordIdentityEvents(tx, user.id, user.role, [{ type: "SecondFactorEnrolled", data: { kind: "totp", recoveryCodes: codes.length } }], {
      now,
    });
  });
  return codes;
}

/**
 * Removes the user's authenticator app and recovery codes. Returns false when there was none, or
 * when `keepOneFactor` is set (admins) and no passkey would remain: the user's row is locked first,
 * as removing a passkey does, so the two removals cannot both take the last factor.
 */
export async function removeTotp(db: Database, user: Actor, now = new Date(), options: { keepOneFactor?: boolean } = {}): Promise<boolean> {
  return db.transaction(async (tx) => {
    await tx.select({ id: users.id }).from(users).where(eq(users.id, user.id)).for("update");
    if (options.keepOneFactor) {
      const [held] = await tx.select({ n: count() }).from(passkeys).where(eq(passkeys.userId, user.id));
      if (Number(held?.n ?? 0) === 0) return false;
    }
    const updated = await tx
      .update(users)
      .set({ totpSecret: null, totpLastStep: null })
      .where(and(eq(users.id, user.id), isNotNull(users.totpSecret)))
      .returning({ id: users.id });
    if (updated.length === 0) return false;
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
    await recordIdentityEvents(tx, user.id, user.role, [{ type: "SecondFactorRemoved", data: { kind: "totp" } }], { now });
    return true;
  });
}

/** For the demo seed: sets a documented secret directly (never for real users). */
export async function seedTotpSecret(db: Database, user: Actor, secret: string, now = new Date()): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(users).set({ totpSecret: secret, totpLastStep: null }).where(eq(users.id, user.id));
    await recordIdentityEvents(tx, user.id, user.role, [{ type: "SecondFactorEnrolled", data: { kind: "totp", recoveryCodes: 0 } }], {
      now,
      origin: "system",
    });
  });
}
