"use server";

import { revalidatePath } from "next/cache";

import { changeMyPayee, submitPayeeForm, type PayeeFormState } from "@/lib/dal/payees";

// Thin edges: the DAL checks the session and that a payee is the user's own.

export async function payeeAction(_previous: PayeeFormState, formData: FormData): Promise<PayeeFormState> {
  const state = await submitPayeeForm(formData);
  if (state.stage === "saved") revalidatePath("/payees");
  return state;
}

export async function changePayeeAction(formData: FormData): Promise<void> {
  if ((await changeMyPayee(formData)).ok) revalidatePath("/payees");
}
