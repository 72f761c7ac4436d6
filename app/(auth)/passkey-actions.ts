"use server";

import { beginPasskeySecondFactorStep, beginPasskeySignInStep, signInWithPasskey } from "@/lib/dal/auth";

// Thin edges: the DAL stores the challenge and Auth.js checks the answer.

export async function beginPasskeySignInAction() {
  return beginPasskeySignInStep();
}

export async function beginPasskeySecondFactorAction(challenge: string) {
  return beginPasskeySecondFactorStep(typeof challenge === "string" ? challenge : "");
}

export async function passkeySignInAction(formData: FormData): Promise<{ message: string }> {
  return signInWithPasskey(formData);
}
