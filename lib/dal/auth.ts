import "server-only";
import { AuthError } from "next-auth";
import { signIn, signOut } from "../auth/config";
import { registerUser } from "../auth/users";
import { isHashingBusy } from "../auth/password";
import { isRateLimited } from "../auth/rate-limits";
import { clientAddress } from "../client-address";
import { headers } from "next/headers";
import { database } from "../db";
import { ValidationError } from "../domain/shared/errors";
import { requestIds } from "../request-context";

// Signing in, up and out for the portal's forms: Auth.js and registration behind the DAL, so the
// actions in app/(auth) stay thin.

export type AuthFormState = {
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
function safeNext(value: string): string {
  return value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : "/dashboard";
}

/** Signs in with the form's email and password; redirects on success (Auth.js throws the redirect). */
export async function signInWithForm(formData: FormData): Promise<AuthFormState> {
  const email = text(formData, "email");
  try {
    await signIn("credentials", { email, password: text(formData, "password"), redirectTo: safeNext(text(formData, "next")) });
    return {};
  } catch (error) {
    if (error instanceof AuthError) {
      const code = (error as AuthError & { code?: string }).code;
      return {
        values: { email },
        message:
          code === "throttled"
            ? "Too many failed attempts. For your safety, sign-in is paused for 15 minutes."
            : code === "busy"
              ? BUSY_MESSAGE
              : code === "rate_limited"
                ? RATE_LIMITED_MESSAGE
                : "That email and password do not match an account.",
      };
    }
    throw error; // the redirect that follows a successful sign-in
  }
}

/** Registers a customer from the form and signs them in; the form's problems, every field at once. */
export async function signUpWithForm(formData: FormData): Promise<AuthFormState> {
  const input = { name: text(formData, "name"), email: text(formData, "email"), password: text(formData, "password") };
  try {
    const { db } = await database();
    await registerUser(db, input, { metadata: { now: new Date(), origin: "web", ...(await requestIds()) }, address: clientAddress(await headers()) });
  } catch (error) {
    if (error instanceof ValidationError) {
      return { fieldErrors: error.fieldErrors, values: { name: input.name, email: input.email } };
    }
    if (isHashingBusy(error)) return { message: BUSY_MESSAGE, values: { name: input.name, email: input.email } };
    if (isRateLimited(error)) return { message: RATE_LIMITED_MESSAGE, values: { name: input.name, email: input.email } };
    throw error;
  }
  await signIn("credentials", { email: input.email, password: input.password, redirectTo: "/dashboard" });
  return {};
}

export async function signOutToSignIn(): Promise<void> {
  await signOut({ redirectTo: "/sign-in" });
}
