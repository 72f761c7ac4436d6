"use server";

import { revalidatePath } from "next/cache";

import { markAllMyNotificationsRead, markMyNotificationRead } from "@/lib/dal/notifications";

// Thin edges: the DAL checks the session and marks only the user's own notifications.

export async function markReadAction(formData: FormData): Promise<void> {
  await markMyNotificationRead(formData);
  revalidatePath("/", "layout");
}

export async function markAllReadAction(): Promise<void> {
  await markAllMyNotificationsRead();
  revalidatePath("/", "layout");
}
