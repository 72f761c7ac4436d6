import type { AuditLogRow } from "../db/schema";
import { userStreams, type IdentityEvent } from "../domain/identity/events";
import { assertNever } from "../domain/shared/errors";
import type { StoredEvent } from "../event-store/types";
import { auditRow } from "./audit-base";

/** Audit rows for identity facts: registrations and failed sign-ins. */
export function identityAuditEntry(event: StoredEvent<IdentityEvent>): AuditLogRow {
  const e = event.event;
  switch (e.type) {
    case "UserRegistered":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: e.data.userId,
        summary: `Registered ${e.data.role} ${e.data.email}`,
        reason: null,
        changes: { role: { from: null, to: e.data.role } },
      });
    case "SignInFailed":
      return auditRow(event, {
        accountId: null,
        outcome: "rejected",
        customerId: userOf(event.streamId),
        summary: `Sign-in failed for ${e.data.email}: ${e.data.reason === "THROTTLED" ? "throttled" : "wrong email or password"}`,
        reason: e.data.ip ? `from ${e.data.ip}` : null,
        changes: {},
      });
    case "ApiTokenIssued":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `API token "${e.data.name}" (${e.data.prefix}…) issued via ${e.data.via}, valid until ${e.data.expiresAt}`,
        reason: null,
        changes: { token: { from: null, to: e.data.prefix } },
      });
    case "ApiTokenRevoked":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `API token "${e.data.name}" (${e.data.prefix}…) revoked`,
        reason: null,
        changes: { token: { from: e.data.prefix, to: null } },
      });
    case "SessionStarted":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Signed in (${METHOD[e.data.method]}) on ${e.data.userAgent || "an unknown device"}`,
        reason: e.data.ip ? `from ${e.data.ip}` : null,
        changes: { session: { from: null, to: e.data.sessionId } },
      });
    case "SessionEnded":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Session ${e.data.sessionId.slice(0, 8)} ended: ${END_REASON[e.data.reason]}`,
        reason: null,
        changes: { session: { from: e.data.sessionId, to: null } },
      });
    case "SessionReauthenticated":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Confirmed identity (${METHOD[e.data.method]}) in session ${e.data.sessionId.slice(0, 8)}`,
        reason: null,
        changes: {},
      });
    case "SecondFactorEnrolled":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Second factor enrolled (authenticator app, ${e.data.recoveryCodes} recovery codes)`,
        reason: null,
        changes: { secondFactor: { from: null, to: e.data.kind } },
      });
    case "SecondFactorRemoved":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: "Second factor removed (authenticator app)",
        reason: null,
        changes: { secondFactor: { from: e.data.kind, to: null } },
      });
    case "RecoveryCodeUsed":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Recovery code used (${e.data.remaining} left)`,
        reason: null,
        changes: {},
      });
    case "PasswordChanged":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Password changed; ${e.data.endedSessions} other session(s) ended`,
        reason: null,
        changes: {},
      });
    case "PasskeyRegistered":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Passkey "${e.data.name}" added (${e.data.deviceType === "multiDevice" ? "synced" : "this device only"})`,
        reason: null,
        changes: { passkey: { from: null, to: e.data.passkeyId } },
      });
    case "PasskeyRenamed":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Passkey "${e.data.from}" renamed "${e.data.to}"`,
        reason: null,
        changes: { name: { from: e.data.from, to: e.data.to } },
      });
    case "PasskeyRemoved":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Passkey "${e.data.name}" removed`,
        reason: null,
        changes: { passkey: { from: e.data.passkeyId, to: null } },
      });
    case "PayeeAdded":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Payee "${e.data.name}" added: ${e.data.accountNumber}, held by ${e.data.holderName}`,
        reason: null,
        changes: { payee: { from: null, to: e.data.accountNumber } },
      });
    case "PayeeRenamed":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Payee "${e.data.from}" renamed "${e.data.to}"`,
        reason: null,
        changes: { name: { from: e.data.from, to: e.data.to } },
      });
    case "PayeeDeleted":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Payee "${e.data.name}" (${e.data.accountNumber}) deleted`,
        reason: null,
        changes: { payee: { from: e.data.accountNumber, to: null } },
      });
    case "TimeZoneChanged":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Time zone set to ${e.data.to}`,
        reason: null,
        changes: { timeZone: { from: e.data.from, to: e.data.to } },
      });
    case "PasswordResetRequested":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Password reset link mailed (asked from ${e.data.ip ?? "an unknown address"})`,
        reason: null,
        changes: {},
      });
    case "EmailVerified":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Email address ${e.data.email} confirmed`,
        reason: null,
        changes: {},
      });
    case "EmailChangeRequested":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Asked to change the email address to ${e.data.to}`,
        reason: null,
        changes: {},
      });
    case "EmailChanged":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Email address changed to ${e.data.to}`,
        reason: null,
        changes: { email: { from: e.data.from, to: e.data.to } },
      });
    case "LocaleChanged":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: `Language set to ${e.data.to}`,
        reason: null,
        changes: { locale: { from: e.data.from, to: e.data.to } },
      });
    case "DisplayNameChanged":
      return auditRow(event, {
        accountId: null,
        outcome: "accepted",
        customerId: userOf(event.streamId),
        summary: "Name changed",
        reason: null,
        changes: { name: { from: e.data.from, to: e.data.to } },
      });
    default:
      return assertNever(e);
  }
}

const METHOD = {
  password: "password",
  "second-factor": "password and authenticator code",
  "recovery-code": "password and recovery code",
  passkey: "password and passkey",
  "passkey-only": "passkey",
} as const;
const END_REASON = {
  "signed-out": "signed out",
  ended: "ended from another session",
  everywhere: "signed out everywhere",
  idle: "idle too long",
  expired: "past its lifetime",
  "password-changed": "password changed",
} as const;

const userOf = (streamId: string): string | null => (userStreams.owns(streamId) ? userStreams.idOf(streamId) : null);
