"use server";

import { revalidatePath } from "next/cache";

import { updateMyProfile, type ProfileFormState } from "@/lib/dal/profile";

// Thin edge: the DAL checks the session and validates; every page re-renders in the new locale.
export async function updateProfileAction(_previous: ProfileFormState, formData: FormData): Promise<ProfileFormState> {
  const state = await updateMyProfile(formData);
  if (state.status === "saved") revalidatePath("/", "layout");
  return state;
}
