"use server";

import { revalidatePath } from "next/cache";

import { signOutToSignIn } from "@/lib/dal/auth";
import { endAllMySessions, endMySession } from "@/lib/dal/security";

// Thin edges: the DAL checks the session and that an ended session is the user's own.

export async function endSessionAction(formData: FormData): Promise<void> {
  const { endedCurrent } = await endMySession(formData);
  if (endedCurrent) await signOutToSignIn();
  revalidatePath("/settings/sessions");
}

export async function signOutEverywhereAction(): Promise<void> {
  await endAllMySessions();
  await signOutToSignIn();
}
