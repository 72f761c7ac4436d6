import { z } from "zod";

import { defineEventCodec } from "../shared/codec";
import type { Message } from "../shared/decider";
import { streamIds } from "../shared/stream-id";

/** A scheme is a payment scheme's API client (inbound and outbound payments), never a person. */
export const ROLES = ["customer", "admin", "scheme"] as const;
export type Role = (typeof ROLES)[number];

/** Identity facts kept in the log so the audit trail shows who joined and every failed sign-in. */
export type UserRegistered = Message<"UserRegistered", { userId: string; name: string; email: string; role: Role }>;
export type SignInFailed = Message<"SignInFailed", { email: string; reason: "BAD_CREDENTIALS" | "THROTTLED"; ip: string | null }>;
/** A personal API token was made (its hash is kept, never the token) or revoked by its owner. */
export type ApiTokenIssued = Message<
  "ApiTokenIssued",
  { tokenId: string; name: string; prefix: string; expiresAt: string; via: "api" | "portal"; scope?: "full" | "read" | "webhooks" }
>;
export type ApiTokenRevoked = Message<"ApiTokenRevoked", { tokenId: string; name: string; prefix: string }>;
/** Saved payees: the holder's masked name is what confirmation of payee showed before saving. */
export type PayeeAdded = Message<"PayeeAdded", { payeeId: string; name: string; accountNumber: string; holderName: string }>;
export type PayeeRenamed = Message<"PayeeRenamed", { payeeId: string; from: string; to: string }>;
export type PayeeDeleted = Message<"PayeeDeleted", { payeeId: string; name: string; accountNumber: string }>;
/** The customer's time zone, in which scheduled payment dates are read. */
export type TimeZoneChanged = Message<"TimeZoneChanged", { from: string | null; to: string }>;
/** The language dates and money are formatted in (one of LOCALES). */
export type LocaleChanged = Message<"LocaleChanged", { from: string | null; to: string }>;
/** The name the customer is addressed by (on pages and statements). */
export type DisplayNameChanged = Message<"DisplayNameChanged", { from: string; to: string }>;
/** "passkey": password, then a passkey as the second factor; "passkey-only": a user-verified passkey alone (both factors). */
export const SIGN_IN_METHODS = ["password", "second-factor", "recovery-code", "passkey", "passkey-only"] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];
export const SESSION_END_REASONS = ["signed-out", "ended", "everywhere", "idle", "expired", "password-changed"] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];
/** A browser session began (after the password, and the second factor when enrolled). */
export type SessionStarted = Message<"SessionStarted", { sessionId: string; userAgent: string; ip: string | null; method: SignInMethod }>;
/** A session ended: signed out, ended from another session, everywhere, idle, or past its lifetime. */
export type SessionEnded = Message<"SessionEnded", { sessionId: string; reason: SessionEndReason }>;
/** The user proved who they are again inside a session (before a sensitive change). */
export type SessionReauthenticated = Message<"SessionReauthenticated", { sessionId: string; method: SignInMethod }>;
export type SecondFactorEnrolled = Message<"SecondFactorEnrolled", { kind: "totp"; recoveryCodes: number }>;
export type SecondFactorRemoved = Message<"SecondFactorRemoved", { kind: "totp" }>;
export type RecoveryCodeUsed = Message<"RecoveryCodeUsed", { remaining: number }>;
/** Passkeys (WebAuthn): the credential itself is kept in the passkeys table, never in the log. */
export type PasskeyRegistered = Message<
  "PasskeyRegistered",
  { passkeyId: string; name: string; deviceType: "singleDevice" | "multiDevice"; backedUp: boolean }
>;
export type PasskeyRenamed = Message<"PasskeyRenamed", { passkeyId: string; from: string; to: string }>;
export type PasskeyRemoved = Message<"PasskeyRemoved", { passkeyId: string; name: string }>;
export type PasswordChanged = Message<"PasswordChanged", { endedSessions: number; via?: "reset" }>;
/** A reset link was mailed (asked for by anyone who knew the address; the link itself is never stored). */
export type PasswordResetRequested = Message<"PasswordResetRequested", { ip: string | null }>;
/** The user followed a verification link sent to `email`. */
export type EmailVerified = Message<"EmailVerified", { email: string }>;
/** The user asked to use another address; it takes effect when confirmed, and the old one is told. */
export type EmailChangeRequested = Message<"EmailChangeRequested", { from: string; to: string }>;
export type EmailChanged = Message<"EmailChanged", { from: string; to: string }>;
export type IdentityEvent =
  | UserRegistered
  | SignInFailed
  | ApiTokenIssued
  | ApiTokenRevoked
  | SessionStarted
  | SessionEnded
  | SessionReauthenticated
  | SecondFactorEnrolled
  | SecondFactorRemoved
  | RecoveryCodeUsed
  | PasswordChanged
  | PasskeyRegistered
  | PasskeyRenamed
  | PasskeyRemoved
  | PasswordResetRequested
  | EmailVerified
  | EmailChangeRequested
  | EmailChanged
  | PayeeAdded
  | PayeeRenamed
  | PayeeDeleted
  | TimeZoneChanged
  | LocaleChanged
  | DisplayNameChanged;

export const USER_STREAM_TYPE = "user";
export const userStreams = streamIds(USER_STREAM_TYPE);
export const userStreamId = userStreams.of;
/** Failed sign-ins for an email nobody registered still need a home in the log. */
export const SIGNIN_STREAM_TYPE = "signin";

export const identityEventCodec = defineEventCodec<IdentityEvent>({
  UserRegistered: {
    version: 1,
    schema: z.object({ userId: z.string(), name: z.string(), email: z.string(), role: z.enum(ROLES) }),
  },
  SignInFailed: {
    version: 1,
    schema: z.object({ email: z.string(), reason: z.enum(["BAD_CREDENTIALS", "THROTTLED"]), ip: z.string().nullable() }),
  },
  ApiTokenIssued: {
    version: 1,
    schema: z.object({
      tokenId: z.string(),
      name: z.string(),
      prefix: z.string(),
      expiresAt: z.string(),
      via: z.enum(["api", "portal"]),
      scope: z.enum(["full", "read", "webhooks"]).optional(),
    }),
  },
  ApiTokenRevoked: {
    version: 1,
    schema: z.object({ tokenId: z.string(), name: z.string(), prefix: z.string() }),
  },
  PayeeAdded: {
    version: 1,
    schema: z.object({ payeeId: z.string(), name: z.string(), accountNumber: z.string(), holderName: z.string() }),
  },
  PayeeRenamed: { version: 1, schema: z.object({ payeeId: z.string(), from: z.string(), to: z.string() }) },
  PayeeDeleted: { version: 1, schema: z.object({ payeeId: z.string(), name: z.string(), accountNumber: z.string() }) },
  TimeZoneChanged: { version: 1, schema: z.object({ from: z.string().nullable(), to: z.string() }) },
  LocaleChanged: { version: 1, schema: z.object({ from: z.string().nullable(), to: z.string() }) },
  DisplayNameChanged: { version: 1, schema: z.object({ from: z.string(), to: z.string() }) },
  SessionStarted: {
    version: 1,
    schema: z.object({ sessionId: z.string(), userAgent: z.string().max(200), ip: z.string().max(64).nullable(), method: z.enum(SIGN_IN_METHODS) }),
  },
  SessionEnded: { version: 1, schema: z.object({ sessionId: z.string(), reason: z.enum(SESSION_END_REASONS) }) },
  SessionReauthenticated: { version: 1, schema: z.object({ sessionId: z.string(), method: z.enum(SIGN_IN_METHODS) }) },
  SecondFactorEnrolled: { version: 1, schema: z.object({ kind: z.literal("totp"), recoveryCodes: z.number().int().min(0) }) },
  SecondFactorRemoved: { version: 1, schema: z.object({ kind: z.literal("totp") }) },
  RecoveryCodeUsed: { version: 1, schema: z.object({ remaining: z.number().int().min(0) }) },
  PasskeyRegistered: {
    version: 1,
    schema: z.object({ passkeyId: z.string(), name: z.string().max(60), deviceType: z.enum(["singleDevice", "multiDevice"]), backedUp: z.boolean() }),
  },
  PasskeyRenamed: { version: 1, schema: z.object({ passkeyId: z.string(), from: z.string().max(60), to: z.string().max(60) }) },
  PasskeyRemoved: { version: 1, schema: z.object({ passkeyId: z.string(), name: z.string().max(60) }) },
  PasswordChanged: { version: 1, schema: z.object({ endedSessions: z.number().int().min(0), via: z.literal("reset").optional() }) },
  PasswordResetRequested: { version: 1, schema: z.object({ ip: z.string().max(64).nullable() }) },
  EmailVerified: { version: 1, schema: z.object({ email: z.string().max(254) }) },
  EmailChangeRequested: { version: 1, schema: z.object({ from: z.string().max(254), to: z.string().max(254) }) },
  EmailChanged: { version: 1, schema: z.object({ from: z.string().max(254), to: z.string().max(254) }) },
});
