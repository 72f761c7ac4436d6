import "server-only";

import { profileOf, updateProfile } from "../commands/profile";
import { database } from "../db";
import { DEFAULT_LOCALE, isLocale, type Locale } from "../domain/identity/locales";
import { ValidationError } from "../domain/shared/errors";
import { requestIds } from "../request-context";
import { requireUser } from "./session";

export type ProfileValues = { name: string; locale: string; timeZone: string };
export type ProfileFormState = {
  status: "idle" | "saved" | "unchanged" | "error";
  values: ProfileValues;
  fieldErrors?: Record<string, string[]>;
};

/** The signed-in customer's profile as the form shows it (defaults filled in: en-GB, UTC). */
export async function myProfile(): Promise<{ email: string; values: ProfileValues; locale: Locale }> {
  const user = await requireUser();
  const { db } = await database();
  const profile = await profileOf(db, user.id);
  const locale = isLocale(profile?.locale) ? profile.locale : DEFAULT_LOCALE;
  return { email: user.email, locale, values: { name: profile?.name ?? user.name, locale, timeZone: profile?.timeZone ?? "UTC" } };
}

const text = (formData: FormData, key: string) => {
  const value = formData.get(key);
  return typeof value === "string" ? value : "";
};

/** Saves name, language and time zone for the signed-in customer; errors by field change nothing. */
export async function updateMyProfile(formData: FormData): Promise<ProfileFormState> {
  const user = await requireUser();
  // Bounded before anything else: a form field is at most this long whatever the browser sent.
  const values = {
    name: text(formData, "name").slice(0, 200),
    locale: text(formData, "locale").slice(0, 32),
    timeZone: text(formData, "timeZone").slice(0, 128),
  };
  const { db } = await database();
  try {
    const changed = await updateProfile(db, user, values, {
      now: new Date(),
      actor: { id: user.id, role: user.role },
      origin: "web",
      ...(await requestIds()),
    });
    return { status: changed > 0 ? "saved" : "unchanged", values };
  } catch (error) {
    if (error instanceof ValidationError) return { status: "error", values, fieldErrors: error.fieldErrors };
    throw error;
  }
}
