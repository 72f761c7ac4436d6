"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";

import { submitTransferForm, type TransferFormState } from "@/lib/dal/transfers";

export async function transferAction(_previous: TransferFormState, formData: FormData): Promise<TransferFormState> {
  const result = await submitTransferForm(formData);
  if (!("transferId" in result)) return result;
  revalidatePath("/dashboard");
  revalidatePath("/transfers");
  redirect(`/transfers/${result.transferId}`);
}
