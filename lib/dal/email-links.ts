import "server-only";

import { headers } from "next/headers";

import { requestEmailChange, requestPasswordReset, resendVerification, resetPassword, verifyEmail } from "../auth/email-links";
import { isHashingBusy } from "../auth/password";
import { isRateLimited } from "../auth/rate-limits";
import type { SessionUser } from "../auth/users";
import { clientAddress } from "../client-address";
import { database } from "../db";
import { ValidationError } from "../domain/shared/errors";
import { findUser } from "../read-models/users";
import { formCommand, FormRefusal, formText } from "./form";
import { publicOrigin } from "./origin";
import { currentUser } from "./session";

// Password reset and email verification for the portal's forms. Asking for a reset needs no
// session and answers the same whether or not the address has an account; changing the address
// and re-sending a link check the session here.

export type LinkFormState = {
  status: "idle" | "sent" | "invalid" | "done";
  message?: string;
  fieldErrors?: Record<string, string[] | undefined>;
  values?: { email?: string };
};

export const RESET_SENT = "If an account uses that address, we have sent it a link to choose a new password. It works for 30 minutes.";
const LIMITED = "Too many requests. Please wait a while and try again.";

export async function requestResetWithForm(formData: FormData): Promise<LinkFormState> {
  const email = formText(formData, "email");
  const { db } = await database();
  try {
    await requestPasswordReset(db, { email }, { ip: clientAddress(await headers()), origin: await publicOrigin() });
  } catch (error) {
    if (error instanceof ValidationError) return { status: "invalid", fieldErrors: error.fieldErrors, values: { email } };
    if (isRateLimited(error)) return { status: "invalid", message: LIMITED, values: { email } };
    throw error;
  }
  return { status: "sent", message: RESET_SENT };
}

export async function resetPasswordWithForm(formData: FormData): Promise<LinkFormState> {
  const { db } = await database();
  try {
    await resetPassword(db, { token: formText(formData, "token"), password: formText(formData, "password") });
  } catch (error) {
    if (error instanceof ValidationError) return { status: "invalid", fieldErrors: error.fieldErrors };
    if (isHashingBusy(error)) return { status: "invalid", message: "We are busy right now. Please try again in a few seconds." };
    throw error;
  }
  return { status: "done", message: "Your password is changed and every session has ended. Sign in with the new one." };
}

/** Following a verification link (a page load: the token is in the URL). */
export async function verifyEmailLink(token: string): Promise<{ ok: true; email: string } | { ok: false; message: string }> {
  const { db } = await database();
  try {
    const { email } = await verifyEmail(db, { token });
    return { ok: true, email };
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, message: Object.values(error.fieldErrors).flat()[0] ?? "This link is not valid." };
    throw error;
  }
}

/** For the banner: whether the signed-in user still has to confirm their address. */
export async function myEmailUnverified(): Promise<boolean> {
  const user = await currentUser();
  if (!user) return false;
  const { db } = await database();
  const row = await findUser(db, user.id);
  return row ? row.emailVerifiedAt === null : false;
}

/** The signed-in forms here on the one envelope; a refusal reads as this state's "invalid" (it has no other). */
async function linkForm(
  formData: FormData,
  run: (user: SessionUser) => Promise<LinkFormState>,
  values?: LinkFormState["values"],
): Promise<LinkFormState> {
  const outcome = await formCommand(formData, {
    // Asking for a link again just sends another (and counts against the limit): no form id.
    commandId: "none",
    async run({ user }) {
      try {
        return await run(user);
      } catch (error) {
        if (isRateLimited(error)) throw new FormRefusal(LIMITED);
        throw error;
      }
    },
  });
  if (outcome.ok) return outcome.value;
  return outcome.kind === "invalid"
    ? { status: "invalid", fieldErrors: outcome.fieldErrors, values }
    : { status: "invalid", message: outcome.message, values };
}

export async function resendMyVerification(formData: FormData): Promise<LinkFormState> {
  return linkForm(formData, async (user) => {
    const { db } = await database();
    const result = await resendVerification(db, user, { ip: clientAddress(await headers()), origin: await publicOrigin() });
    return result === "sent"
      ? { status: "sent", message: `We sent a new link to ${user.email}.` }
      : { status: "done", message: "Your address is already confirmed." };
  });
}

export async function changeMyEmailWithForm(formData: FormData): Promise<LinkFormState> {
  const email = formText(formData, "email");
  return linkForm(
    formData,
    async (user) => {
      const { db } = await database();
      await requestEmailChange(db, user, { email }, { ip: clientAddress(await headers()), origin: await publicOrigin() });
      return { status: "sent", message: "We sent a link to the new address; the change happens when you follow it. Your current address was told." };
    },
    { email },
  );
}
