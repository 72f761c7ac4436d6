"use server";

import { revalidatePath } from "next/cache";

import { createMyApiToken, revokeMyApiToken, type CreateTokenFormState } from "@/lib/dal/api-tokens";

// Thin edges: the DAL checks the session and that a revoked token is the user's own.

export async function createTokenAction(_previous: CreateTokenFormState, formData: FormData): Promise<CreateTokenFormState> {
  const state = await createMyApiToken(formData);
  if (state.status === "created") revalidatePath("/settings/tokens");
  return state;
}

export async function revokeTokenAction(formData: FormData): Promise<void> {
  if (await revokeMyApiToken(formData)) revalidatePath("/settings/tokens");
}
