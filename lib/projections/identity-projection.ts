import type { AuditLogRow } from "../db/schema";
import type { IdentityEvent } from "../domain/identity/events";
import { assertNever } from "../domain/shared/errors";
import type { StoredEvent } from "../event-store/types";
import { auditBase } from "./audit-base";

/** Audit rows for identity facts: registrations and failed sign-ins. */
export function identityAuditEntry(event: StoredEvent<IdentityEvent>): AuditLogRow {
  const e = event.event;
  const base = {
    ...auditBase(event),
    accountId: null,
  };
  switch (e.type) {
    case "UserRegistered":
      return {
        ...base,
        outcome: "accepted",
        customerId: e.data.userId,
        summary: `Registered ${e.data.role} ${e.data.email}`,
        reason: null,
        changes: { role: { from: null, to: e.data.role } },
      };
    case "SignInFailed":
      return {
        ...base,
        outcome: "rejected",
        customerId: event.streamId.startsWith("user-") ? event.streamId.slice("user-".length) : null,
        summary: `Sign-in failed for ${e.data.email}: ${e.data.reason === "THROTTLED" ? "throttled" : "wrong email or password"}`,
        reason: e.data.ip ? `from ${e.data.ip}` : null,
        changes: {},
      };
    default:
      return assertNever(e);
  }
}
