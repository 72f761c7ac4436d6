import "server-only";

import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { headers } from "next/headers";

import {
  beginPasskeyReauth,
  beginPasskeyRegistration,
  confirmWithPasskey,
  finishPasskeyRegistration,
  hasPasskey,
  listPasskeys,
  relyingPartyFor,
  removePasskey,
  renamePasskey,
} from "../auth/passkeys";
import { consumeRateLimit, isRateLimited } from "../auth/rate-limits";
import { recentlyAuthenticated } from "../auth/sessions";
import { database } from "../db";
import { ValidationError, type FieldErrors } from "../domain/shared/errors";
import { FORM_MESSAGES, formText } from "./form";
import { REAUTH_MESSAGE, securityForm, type SecurityFormState } from "./security";
import { currentSession, requireSession } from "./session";

// Passkeys in the portal's settings: the session is checked here, and adding or removing one also
// needs the recent proof of identity. Signing in with one is in ./auth.ts.

const SIGNED_OUT = FORM_MESSAGES.sessionEnded;
const TOO_MANY = "Too many passkey requests. Please wait a few minutes and try again.";

/** Each ceremony stores a challenge: a signed-in user's are counted too (per user, shared by all instances). */
async function countCeremony(userId: string): Promise<boolean> {
  const { db } = await database();
  try {
    await consumeRateLimit(db, "signIn", { account: `passkey:${userId}` });
    return true;
  } catch (error) {
    if (isRateLimited(error)) return false;
    throw error;
  }
}

export type PasskeyDto = { id: string; name: string; createdAt: string; lastUsedAt: string | null; synced: boolean };

export async function listMyPasskeys(): Promise<PasskeyDto[]> {
  const { user } = await requireSession();
  const { db } = await database();
  return (await listPasskeys(db, user.id)).map((p) => ({
    id: p.id,
    name: p.name,
    createdAt: p.createdAt.toISOString(),
    lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
    synced: p.backedUp,
  }));
}

export type Ceremony<T> = { ok: true; attempt: string; options: T } | { ok: false; message: string };

/** The options for the browser to make a passkey (after a recent proof of identity). */
export async function beginMyPasskeyRegistration(): Promise<Ceremony<PublicKeyCredentialCreationOptionsJSON>> {
  const checked = await currentSession();
  if (!checked) return { ok: false, message: SIGNED_OUT };
  if (!recentlyAuthenticated(checked.session)) return { ok: false, message: REAUTH_MESSAGE };
  if (!(await countCeremony(checked.user.id))) return { ok: false, message: TOO_MANY };
  const { db } = await database();
  try {
    const begun = await beginPasskeyRegistration(db, checked.user, checked.session.id, relyingPartyFor(await headers()));
    return { ok: true, ...begun };
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, message: Object.values(error.fieldErrors).flat()[0] ?? error.message };
    throw error;
  }
}

/** Stores the passkey the browser made for the options above. */
export async function finishMyPasskeyRegistration(formData: FormData): Promise<SecurityFormState> {
  const invalid = (fieldErrors: FieldErrors): SecurityFormState => ({
    status: "invalid",
    message: Object.values(fieldErrors).flat()[0],
    fieldErrors,
  });
  return securityForm(formData, { sensitive: true, invalid }, async ({ user, session }) => {
    const { db } = await database();
    const added = await finishPasskeyRegistration(
      db,
      user,
      session.id,
      { attempt: formText(formData, "attempt"), response: formText(formData, "response"), name: formText(formData, "name") },
      relyingPartyFor(await headers()),
    );
    return { status: "done", message: `Passkey "${added.name}" added. You can sign in with it.` };
  });
}

export async function renameMyPasskey(formData: FormData): Promise<SecurityFormState> {
  return securityForm(formData, {}, async ({ user }) => {
    const { db } = await database();
    const renamed = await renamePasskey(db, user, { passkeyId: formText(formData, "passkeyId"), name: formText(formData, "name") });
    return renamed ? { status: "done", message: "Passkey renamed." } : { status: "error", message: "That passkey was not found." };
  });
}

export async function removeMyPasskey(formData: FormData): Promise<SecurityFormState> {
  return securityForm(formData, { sensitive: true }, async ({ user }) => {
    const { db } = await database();
    const outcome = await removePasskey(db, user, formText(formData, "passkeyId"));
    if (outcome === "last-factor") return { status: "error", message: "Admins must keep a second factor: add another before removing this one." };
    if (outcome === "not-found") return { status: "error", message: "That passkey was not found." };
    return { status: "done", message: "Passkey removed." };
  });
}

/** Whether the signed-in user has a passkey (the confirm page then offers it). */
export async function myPasskeyIsOn(): Promise<boolean> {
  const { user } = await requireSession();
  const { db } = await database();
  return hasPasskey(db, user.id);
}

/** The confirm page's passkey: options bound to this session. */
export async function beginMyPasskeyConfirmation(): Promise<Ceremony<PublicKeyCredentialRequestOptionsJSON>> {
  const checked = await currentSession();
  if (!checked) return { ok: false, message: SIGNED_OUT };
  if (!(await countCeremony(checked.user.id))) return { ok: false, message: TOO_MANY };
  const { db } = await database();
  const begun = await beginPasskeyReauth(db, checked.user, checked.session.id, relyingPartyFor(await headers()));
  return begun ? { ok: true, ...begun } : { ok: false, message: "You have no passkey. Confirm with your password." };
}

/** A passkey's answer renews the session's proof of identity (as the password or a code does). */
export async function confirmMyIdentityWithPasskey(formData: FormData): Promise<SecurityFormState> {
  return securityForm(formData, {}, async ({ user, session }) => {
    const { db } = await database();
    const answer = { attempt: formText(formData, "attempt"), response: formText(formData, "response") };
    const confirmed = await confirmWithPasskey(db, user, session.id, answer, relyingPartyFor(await headers()));
    return confirmed ? { status: "done" } : { status: "invalid", message: "That passkey was not accepted. Try again, or use your password." };
  });
}
