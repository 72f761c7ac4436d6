"use server";

import { revalidatePath } from "next/cache";

import { beginMyPasskeyRegistration, finishMyPasskeyRegistration, removeMyPasskey, renameMyPasskey } from "@/lib/dal/passkeys";
import { changeMyPassword, enrolMyTotp, removeMyTotp, type SecurityFormState } from "@/lib/dal/security";

// Thin edges: the DAL checks the session and the recent proof of identity.

// No revalidation after enrolment: the answer shows the recovery codes once, and a re-rendered
// page would replace the form that shows them. The next visit shows the app as on.
export async function enrolTotpAction(_previous: SecurityFormState, formData: FormData): Promise<SecurityFormState> {
  return enrolMyTotp(formData);
}

export async function removeTotpAction(_previous: SecurityFormState): Promise<SecurityFormState> {
  const state = await removeMyTotp();
  if (state.status === "done") revalidatePath("/settings/security");
  return state;
}

export async function changePasswordAction(_previous: SecurityFormState, formData: FormData): Promise<SecurityFormState> {
  return changeMyPassword(formData);
}

export async function beginPasskeyRegistrationAction() {
  return beginMyPasskeyRegistration();
}

// Revalidated so the list shows the new passkey, renamed or removed one.
export async function finishPasskeyRegistrationAction(formData: FormData): Promise<SecurityFormState> {
  const state = await finishMyPasskeyRegistration(formData);
  if (state.status === "done") revalidatePath("/settings/security");
  return state;
}

export async function renamePasskeyAction(_previous: SecurityFormState, formData: FormData): Promise<SecurityFormState> {
  const state = await renameMyPasskey(formData);
  if (state.status === "done") revalidatePath("/settings/security");
  return state;
}

export async function removePasskeyAction(_previous: SecurityFormState, formData: FormData): Promise<SecurityFormState> {
  const state = await removeMyPasskey(formData);
  if (state.status === "done") revalidatePath("/settings/security");
  return state;
}
