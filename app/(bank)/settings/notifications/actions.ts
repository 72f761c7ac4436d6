"use server";

import { redirect } from "next/navigation";

import { saveMyNotificationPreferences } from "@/lib/dal/notifications";

export async function savePreferencesAction(formData: FormData): Promise<void> {
  const result = await saveMyNotificationPreferences(formData);
  redirect(result.status === "saved" ? "/settings/notifications?saved=1" : "/settings/notifications?invalid=1");
}
