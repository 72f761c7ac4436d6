"use server";

import { signInWithForm, signOutToSignIn, signUpWithForm, type AuthFormState } from "@/lib/dal/auth";

// Thin edges: the DAL signs in, up and out.

export type { AuthFormState };

export async function signInAction(_previous: AuthFormState, formData: FormData): Promise<AuthFormState> {
  return signInWithForm(formData);
}

export async function signUpAction(_previous: AuthFormState, formData: FormData): Promise<AuthFormState> {
  return signUpWithForm(formData);
}

export async function signOutAction(): Promise<void> {
  await signOutToSignIn();
}
