"use server";

import { revalidatePath } from "next/cache";
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
