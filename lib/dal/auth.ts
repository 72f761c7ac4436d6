import "server-only";

import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { AuthError } from "next-auth";
import { headers } from "next/headers";

import { signIn, signOut } from "../auth/config";
import { beginPasskeySecondFactor, beginPasskeySignIn, relyingPartyFor } from "../auth/passkeys";
import { isHashingBusy } from "../auth/password";
import { consumeRateLimit, isRateLimited } from "../auth/rate-limits";
import { CHALLENGE_MAX_ATTEMPTS, createSignInChallenge } from "../auth/sign-in";
import { registerUser, verifyCredentials } from "../auth/users";
import { clientAddress } from "../client-address";
import { database } from "../db";
import { ValidationError } from "../domain/shared/errors";
import { requestIds } from "../request-context";
import { publicOrigin } from "./origin";

// Signing in, up and out for the portal's forms: Auth.js and registration behind the DAL, so the
// actions in app/(auth) stay thin.

export type AuthFormState = {
  /** "code": the password was right and the user has a second factor; the form asks for it. */
  step?: "password" | "code";
  /** The sign-in challenge the code step carries (random, five minutes, used once). */
  challenge?: string;
  /** Which second factors the code step offers. */
  methods?: { totp: boolean; passkey: boolean };
  next?: string;
  message?: string;
  fieldErrors?: Record<string, string[] | undefined>;
  values?: { email?: string; name?: string };
};

const BUSY_MESSAGE = "We are checking a lot of sign-ins right now. Please try again in a few seconds.";
const RATE_LIMITED_MESSAGE = "Too many attempts from your network. Please wait a few minutes and try again.";

const text = (formData: FormData, key: string) => {
  const value = formData.get(key);
  return typeof value === "string" ? value : "";
};

/** Only same-site paths: an open redirect after sign-in would be a phishing tool. */
export function safeNext(value: string): string {
  return value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value.slice(0, 500) : "/dashboard";
}

const authCode = (error: unknown) => (error as AuthError & { code?: string }).code;

/**
 * The password step: checks email and password (throttled, audited), then either finishes the
 * sign-in or, for a user with a second factor, asks for the code.
 */
export async function signInWithForm(formData: FormData): Promise<AuthFormState> {
  if (text(formData, "challenge")) return secondFactorStep(formData);
  const email = text(formData, "email");
  const next = safeNext(text(formData, "next"));
  const { db } = await database();
  let result: Awaited<ReturnType<typeof verifyCredentials>>;
  try {
    result = await verifyCredentials(db, { email, password: text(formData, "password") }, clientAddress(await headers()));
  } catch (error) {
    if (isHashingBusy(error)) return { values: { email }, message: BUSY_MESSAGE };
    if (isRateLimited(error)) return { values: { email }, message: RATE_LIMITED_MESSAGE };
    throw error;
  }
  // A payment scheme is an API client, never a portal user (its password is random and never shown).
  if (!result.ok || result.user.role === "scheme") {
    return {
      values: { email },
      message:
        !result.ok && result.reason === "THROTTLED"
          ? "Too many failed attempts. For your safety, sign-in is paused for 15 minutes."
          : "That email and password do not match an account.",
    };
  }
  const { challenge, needsSecondFactor, methods } = await createSignInChallenge(db, result.user.id);
  if (needsSecondFactor) return { step: "code", challenge, methods, next, values: { email } };
  await signIn("credentials", { challenge, redirectTo: next });
  return {};
}

async function secondFactorStep(formData: FormData): Promise<AuthFormState> {
  const challenge = text(formData, "challenge");
  const next = safeNext(text(formData, "next"));
  const methods = { totp: text(formData, "totp") === "1", passkey: text(formData, "passkey") === "1" };
  const passkeyAttempt = text(formData, "passkeyAttempt");
  try {
    await signIn("credentials", {
      challenge,
      code: text(formData, "code"),
      passkeyAttempt,
      passkeyResponse: text(formData, "passkeyResponse"),
      redirectTo: next,
    });
    return {};
  } catch (error) {
    if (error instanceof AuthError) {
      if (authCode(error) === "expired") return { step: "password", message: "That sign-in has expired or had too many wrong codes. Sign in again." };
      const message = passkeyAttempt
        ? "That passkey was not accepted. Try again" + (methods.totp ? ", or type a code." : ".")
        : "That code is not right. Type the six digits your app shows now, or a recovery code.";
      return { step: "code", challenge, methods, next, message };
    }
    throw error; // the redirect that follows a successful sign-in
  }
}

/** Registers a customer from the form and signs them in; the form's problems, every field at once. */
export async function signUpWithForm(formData: FormData): Promise<AuthFormState> {
  const input = { name: text(formData, "name"), email: text(formData, "email"), password: text(formData, "password") };
  const { db } = await database();
  let userId: string;
  try {
    userId = (
      await registerUser(db, input, {
        metadata: { now: new Date(), origin: "web", ...(await requestIds()) },
        address: clientAddress(await headers()),
        verification: { origin: await publicOrigin() },
      })
    ).id;
  } catch (error) {
    if (error instanceof ValidationError) {
      return { fieldErrors: error.fieldErrors, values: { name: input.name, email: input.email } };
    }
    if (isHashingBusy(error)) return { message: BUSY_MESSAGE, values: { name: input.name, email: input.email } };
    if (isRateLimited(error)) return { message: RATE_LIMITED_MESSAGE, values: { name: input.name, email: input.email } };
    throw error;
  }
  // The password was just set: no second hash, straight to a session.
  const { challenge } = await createSignInChallenge(db, userId);
  await signIn("credentials", { challenge, redirectTo: "/dashboard" });
  return {};
}

export async function signOutToSignIn(): Promise<void> {
  await signOut({ redirectTo: "/sign-in" });
}

// ---------------------------------------------------------------- passkeys (their first halves here;
// Auth.js checks the answers, lib/auth/config.ts)

export type PasskeyCeremony = { ok: true; attempt: string; options: PublicKeyCredentialRequestOptionsJSON } | { ok: false; message: string };

const EXPIRED_SIGN_IN = "That sign-in has expired or had too many tries. Sign in again.";

/** The second step of a sign-in with a passkey: options bound to the sign-in challenge (which is the authority). */
export async function beginPasskeySecondFactorStep(challenge: string): Promise<PasskeyCeremony> {
  const { db } = await database();
  const begun = await beginPasskeySecondFactor(db, challenge, relyingPartyFor(await headers()), CHALLENGE_MAX_ATTEMPTS);
  return begun ? { ok: true, ...begun } : { ok: false, message: EXPIRED_SIGN_IN };
}

/** "Sign in with a passkey": anyone may ask, so each request counts against the address's sign-in limit first. */
export async function beginPasskeySignInStep(): Promise<PasskeyCeremony> {
  const { db } = await database();
  const requestHeaders = await headers();
  try {
    await consumeRateLimit(db, "signIn", { address: clientAddress(requestHeaders) });
  } catch (error) {
    if (isRateLimited(error)) return { ok: false, message: "Too many attempts from your network. Please wait a few minutes and try again." };
    throw error;
  }
  return { ok: true, ...(await beginPasskeySignIn(db, relyingPartyFor(requestHeaders))) };
}

/** Finishes "Sign in with a passkey" through Auth.js; on success this redirects (it throws). */
export async function signInWithPasskey(formData: FormData): Promise<{ message: string }> {
  try {
    await signIn("credentials", {
      passkeyAttempt: text(formData, "attempt"),
      passkeyResponse: text(formData, "response"),
      redirectTo: safeNext(text(formData, "next")),
    });
    return { message: "" };
  } catch (error) {
    if (error instanceof AuthError) return { message: "That passkey did not sign you in. Try again, or use your email and password." };
    throw error; // the redirect that follows a successful sign-in
  }
}
