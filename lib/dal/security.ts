import "server-only";
import type { Role, SignInMethod } from "../domain/identity/events";
import { headers } from "next/headers";
import { clientAddress } from "../client-address";
import { changePassword } from "../auth/password-change";
import { enrolTotp, hasTotp, newTotpSecret, removeTotp, totpEnrolment, spendSecondFactor } from "../auth/second-factor";
import { endSessions, listSessions, markReauthenticated, recentlyAuthenticated } from "../auth/sessions";
import { verifyCredentials } from "../auth/users";
import { database } from "../db";
import { ValidationError } from "../domain/shared/errors";
import { currentSession, requireSession } from "./session";

// Devices and sessions, the second factor, the password and re-authentication, for the portal's
// settings pages. Every function checks the session itself; sensitive changes also need a proof of
// identity from the last five minutes (sign-in or the confirm page).

const text = (formData: FormData, key: string) => {
  const value = formData.get(key);
  return typeof value === "string" ? value : "";
};

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
  const sessionId = text(formData, "sessionId");
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
  const overview: SecurityOverview = { email: user.email, role: user.role, hasSecondFactor: user.hasSecondFactor, hasTotp: totp, recentlyAuthenticated: recent };
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

export async function enrolMyTotp(formData: FormData): Promise<SecurityFormState> {
  const checked = await currentSession();
  if (!checked) return { status: "error", message: "Your session has ended. Sign in again to continue." };
  if (!recentlyAuthenticated(checked.session)) return { status: "error", message: REAUTH_MESSAGE };
  const { db } = await database();
  try {
    const recoveryCodes = await enrolTotp(db, checked.user, { secret: text(formData, "secret"), code: text(formData, "code") });
    return { status: "done", recoveryCodes, message: "Your authenticator app is set up. Sign-in now asks for its code." };
  } catch (error) {
    if (error instanceof ValidationError) return { status: "invalid", fieldErrors: error.fieldErrors };
    throw error;
  }
}

export async function removeMyTotp(): Promise<SecurityFormState> {
  const checked = await currentSession();
  if (!checked) return { status: "error", message: "Your session has ended. Sign in again to continue." };
  if (!recentlyAuthenticated(checked.session)) return { status: "error", message: REAUTH_MESSAGE };
  const { db } = await database();
  const removed = await removeTotp(db, checked.user, new Date(), { keepOneFactor: checked.user.role === "admin" });
  if (!removed && checked.user.role === "admin") return { status: "error", message: "Admins must keep a second factor: add a passkey before removing the app." };
  return { status: "done", message: "Your authenticator app was removed." };
}

export async function changeMyPassword(formData: FormData): Promise<SecurityFormState> {
  const checked = await currentSession();
  if (!checked) return { status: "error", message: "Your session has ended. Sign in again to continue." };
  const { db } = await database();
  try {
    const { endedSessions } = await changePassword(
      db,
      checked.user,
      { currentPassword: text(formData, "currentPassword"), newPassword: text(formData, "newPassword") },
      { keepSessionId: checked.session.id, ip: clientAddress(await headers()) },
    );
    return { status: "done", message: `Your password was changed${endedSessions ? `; ${endedSessions} other session(s) were signed out` : ""}.` };
  } catch (error) {
    if (error instanceof ValidationError) return { status: "invalid", fieldErrors: error.fieldErrors };
    throw error;
  }
}

/** The confirm page: the password, or a code of the second factor, renews the session's proof of identity. */
export async function confirmMyIdentity(formData: FormData): Promise<SecurityFormState> {
  const checked = await currentSession();
  if (!checked) return { status: "error", message: "Your session has ended. Sign in again to continue." };
  const { db } = await database();
  const password = text(formData, "password");
  const code = text(formData, "code");
  let method: SignInMethod | null = null;
  if (code && (await hasTotp(db, checked.user.id))) {
    method = await spendSecondFactor(db, checked.user, code);
  } else if (password) {
    const result = await verifyCredentials(db, { email: checked.user.email, password }, clientAddress(await headers()));
    if (result.ok && result.user.id === checked.user.id) method = "password";
    else if (!result.ok && result.reason === "THROTTLED") return { status: "error", message: "Too many failed attempts. Try again in 15 minutes." };
  }
  if (!method) return { status: "invalid", message: "That did not match. Try again." };
  await markReauthenticated(db, checked.user, checked.session.id, method);
  return { status: "done" };
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
