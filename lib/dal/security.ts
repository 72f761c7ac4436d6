import "server-only";

import { headers } from "next/headers";

import { changePassword } from "../auth/password-change";
import { enrolTotp, hasTotp, newTotpSecret, removeTotp, spendSecondFactor, totpEnrolment } from "../auth/second-factor";
import { endSessions, listSessions, markReauthenticated, recentlyAuthenticated, type CheckedSession } from "../auth/sessions";
import { verifyCredentials, type SessionUser } from "../auth/users";
import { clientAddress } from "../client-address";
import { database } from "../db";
import type { Role, SignInMethod } from "../domain/identity/events";
import type { FieldErrors } from "../domain/shared/errors";
import { formCommand, FormRefusal, formText } from "./form";
import { currentSession, requireSession } from "./session";

// Devices and sessions, the second factor, the password and re-authentication, for the portal's
// settings pages. Every function checks the session itself; sensitive changes also need a proof of
// identity from the last five minutes (sign-in or the confirm page).

export const REAUTH_MESSAGE = "For your safety, confirm it is you first (your password or a code), then try again.";

export type SessionDto = { id: string; userAgent: string; ip: string | null; createdAt: string; lastSeenAt: string; current: boolean };

export async function listMySessions(): Promise<SessionDto[]> {
  const { user, session } = await requireSession();
  const { db } = await database();
  return (await listSessions(db, user.id)).map((s) => ({
    id: s.id,
    userAgent: s.userAgent,
    ip: s.ip,
    createdAt: s.createdAt.toISOString(),
    lastSeenAt: s.lastSeenAt.toISOString(),
    current: s.id === session.id,
  }));
}

/** Ends one of the user's own sessions; another user's session id changes nothing. */
export async function endMySession(formData: FormData): Promise<{ endedCurrent: boolean }> {
  const checked = await currentSession();
  if (!checked) return { endedCurrent: false };
  const { db } = await database();
  const sessionId = formText(formData, "sessionId");
  await endSessions(db, checked.user, { sessionId, reason: sessionId === checked.session.id ? "signed-out" : "ended" });
  return { endedCurrent: sessionId === checked.session.id };
}

/** Sign out everywhere: every session of the user's, this one included. */
export async function endAllMySessions(): Promise<void> {
  const checked = await currentSession();
  if (!checked) return;
  const { db } = await database();
  await endSessions(db, checked.user, { all: true, reason: "everywhere" });
}

export type SecurityOverview = {
  email: string;
  role: Role;
  hasSecondFactor: boolean;
  /** An authenticator app (TOTP) in particular; passkeys are listed apart. */
  hasTotp: boolean;
  recentlyAuthenticated: boolean;
  /** For a user without a second factor who confirmed recently: a new secret to scan. */
  enrolment?: { secret: string; qrDataUrl: string };
};

export async function mySecurityOverview(): Promise<SecurityOverview> {
  const { user, session } = await requireSession();
  const recent = recentlyAuthenticated(session);
  const { db } = await database();
  const totp = await hasTotp(db, user.id);
  const overview: SecurityOverview = {
    email: user.email,
    role: user.role,
    hasSecondFactor: user.hasSecondFactor,
    hasTotp: totp,
    recentlyAuthenticated: recent,
  };
  if (!totp && recent) {
    const secret = newTotpSecret();
    overview.enrolment = { secret, qrDataUrl: (await totpEnrolment(user.email, secret)).qrDataUrl };
  }
  return overview;
}

export type SecurityFormState = {
  status: "idle" | "done" | "invalid" | "error";
  message?: string;
  fieldErrors?: Record<string, string[] | undefined>;
  recoveryCodes?: string[];
};

/**
 * The security settings' forms on the one envelope: the session, and for a sensitive change a proof
 * of identity from the last five minutes; failures in this state's shape. They change settings
 * directly rather than by a command under a form id, so they carry none.
 */
export async function securityForm(
  formData: FormData | undefined,
  options: { sensitive?: boolean; invalid?: (fieldErrors: FieldErrors) => SecurityFormState },
  run: (input: { user: SessionUser; session: CheckedSession["session"] }) => Promise<SecurityFormState>,
): Promise<SecurityFormState> {
  const outcome = await formCommand(formData ?? new FormData(), {
    commandId: "none",
    async run({ user, session }) {
      if (options.sensitive && !recentlyAuthenticated(session)) throw new FormRefusal(REAUTH_MESSAGE);
      return run({ user, session });
    },
  });
  if (outcome.ok) return outcome.value;
  if (outcome.kind === "error") return { status: "error", message: outcome.message };
  return options.invalid ? options.invalid(outcome.fieldErrors) : { status: "invalid", fieldErrors: outcome.fieldErrors };
}

export async function enrolMyTotp(formData: FormData): Promise<SecurityFormState> {
  return securityForm(formData, { sensitive: true }, async ({ user }) => {
    const { db } = await database();
    const recoveryCodes = await enrolTotp(db, user, { secret: formText(formData, "secret"), code: formText(formData, "code") });
    return { status: "done", recoveryCodes, message: "Your authenticator app is set up. Sign-in now asks for its code." };
  });
}

export async function removeMyTotp(): Promise<SecurityFormState> {
  return securityForm(undefined, { sensitive: true }, async ({ user }) => {
    const { db } = await database();
    const removed = await removeTotp(db, user, new Date(), { keepOneFactor: user.role === "admin" });
    if (!removed && user.role === "admin")
      return { status: "error", message: "Admins must keep a second factor: add a passkey before removing the app." };
    return { status: "done", message: "Your authenticator app was removed." };
  });
}

export async function changeMyPassword(formData: FormData): Promise<SecurityFormState> {
  return securityForm(formData, {}, async ({ user, session }) => {
    const { db } = await database();
    const { endedSessions } = await changePassword(
      db,
      user,
      { currentPassword: formText(formData, "currentPassword"), newPassword: formText(formData, "newPassword") },
      { keepSessionId: session.id, ip: clientAddress(await headers()) },
    );
    return { status: "done", message: `Your password was changed${endedSessions ? `; ${endedSessions} other session(s) were signed out` : ""}.` };
  });
}

/** The confirm page: the password, or a code of the second factor, renews the session's proof of identity. */
export async function confirmMyIdentity(formData: FormData): Promise<SecurityFormState> {
  return securityForm(formData, {}, async ({ user, session }) => {
    const { db } = await database();
    const password = formText(formData, "password");
    const code = formText(formData, "code");
    let method: SignInMethod | null = null;
    if (code && (await hasTotp(db, user.id))) {
      method = await spendSecondFactor(db, user, code);
    } else if (password) {
      const result = await verifyCredentials(db, { email: user.email, password }, clientAddress(await headers()));
      if (result.ok && result.user.id === user.id) method = "password";
      else if (!result.ok && result.reason === "THROTTLED") return { status: "error", message: "Too many failed attempts. Try again in 15 minutes." };
    }
    if (!method) return { status: "invalid", message: "That did not match. Try again." };
    await markReauthenticated(db, user, session.id, method);
    return { status: "done" };
  });
}

/** Whether the signed-in user has an authenticator app (the confirm page then also takes its code). */
export async function myTotpIsOn(): Promise<boolean> {
  const { user } = await requireSession();
  const { db } = await database();
  return hasTotp(db, user.id);
}

/** Whether the signed-in session may make a sensitive change now (for pages to show a confirm link). */
export async function mayMakeSensitiveChange(): Promise<boolean> {
  const checked = await currentSession();
  return checked ? recentlyAuthenticated(checked.session) : false;
}
