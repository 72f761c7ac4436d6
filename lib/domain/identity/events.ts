import { streamIds } from "../shared/stream-id";
import { z } from "zod";
import { defineEventCodec } from "../shared/codec";
import type { Message } from "../shared/decider";

/** A scheme is a payment scheme's API client (inbound and outbound payments), never a person. */
export const ROLES = ["customer", "admin", "scheme"] as const;
export type Role = (typeof ROLES)[number];

/** Identity facts kept in the log so the audit trail shows who joined and every failed sign-in. */
export type UserRegistered = Message<"UserRegistered", { userId: string; name: string; email: string; role: Role }>;
export type SignInFailed = Message<
  "SignInFailed",
  { email: string; reason: "BAD_CREDENTIALS" | "THROTTLED"; ip: string | null }
>;
/** A personal API token was made (its hash is kept, never the token) or revoked by its owner. */
export type ApiTokenIssued = Message<"ApiTokenIssued", { tokenId: string; name: string; prefix: string; expiresAt: string; via: "api" | "portal"; scope?: "full" | "read" | "webhooks" }>;
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
export const SIGN_IN_METHODS = ["password", "second-factor", "recovery-code"] as const;
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
export type PasswordChanged = Message<"PasswordChanged", { endedSessions: number }>;
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
    schema: z.object({ tokenId: z.string(), name: z.string(), prefix: z.string(), expiresAt: z.string(), via: z.enum(["api", "portal"]), scope: z.enum(["full", "read", "webhooks"]).optional() }),
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
  PasswordChanged: { version: 1, schema: z.object({ endedSessions: z.number().int().min(0) }) },
});
