"use server";

import { redirect } from "next/navigation";

import { safeNext } from "@/lib/dal/auth";
import { beginMyPasskeyConfirmation, confirmMyIdentityWithPasskey } from "@/lib/dal/passkeys";
import { confirmMyIdentity, type SecurityFormState } from "@/lib/dal/security";

export async function confirmAction(_previous: SecurityFormState, formData: FormData): Promise<SecurityFormState> {
  const state = await confirmMyIdentity(formData);
  if (state.status === "done") {
    const next = formData.get("next");
    redirect(safeNext(typeof next === "string" ? next : "/settings/security"));
  }
  return state;
}

export async function beginPasskeyConfirmationAction() {
  return beginMyPasskeyConfirmation();
}

export async function confirmWithPasskeyAction(formData: FormData): Promise<SecurityFormState> {
  const state = await confirmMyIdentityWithPasskey(formData);
  if (state.status === "done") {
    const next = formData.get("next");
    redirect(safeNext(typeof next === "string" ? next : "/settings/security"));
  }
  return state;
}
