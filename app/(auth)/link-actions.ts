"use server";

import { changeMyEmailWithForm, requestResetWithForm, resendMyVerification, resetPasswordWithForm, type LinkFormState } from "@/lib/dal/email-links";

// Thin edges: the DAL validates, rate limits and checks the session where there is one.

export async function forgotPasswordAction(_previous: LinkFormState, formData: FormData): Promise<LinkFormState> {
  return requestResetWithForm(formData);
}

export async function resetPasswordAction(_previous: LinkFormState, formData: FormData): Promise<LinkFormState> {
  return resetPasswordWithForm(formData);
}

export async function resendVerificationAction(_previous: LinkFormState, formData: FormData): Promise<LinkFormState> {
  return resendMyVerification(formData);
}

export async function changeEmailAction(_previous: LinkFormState, formData: FormData): Promise<LinkFormState> {
  return changeMyEmailWithForm(formData);
}
