"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";

import { openAccountForMe, submitMoneyCommand, type MoneyFormState, type OpenAccountFormState } from "@/lib/dal/account-commands";

// Thin edges: the DAL checks the session and ownership and runs the command.

export async function openAccountAction(_previous: OpenAccountFormState, formData: FormData): Promise<OpenAccountFormState> {
  const result = await openAccountForMe(formData);
  if (!("accountId" in result)) return result;
  revalidatePath("/dashboard");
  redirect(`/accounts/${result.accountId}?opened=1`);
}

async function money(kind: "deposit" | "withdrawal", formData: FormData): Promise<MoneyFormState> {
  const state = await submitMoneyCommand(kind, formData);
  if (state.status === "success" || state.status === "rejected") {
    revalidatePath(`/accounts/${String(formData.get("accountId"))}`);
    revalidatePath("/dashboard");
  }
  return state;
}

export async function depositAction(_previous: MoneyFormState, formData: FormData): Promise<MoneyFormState> {
  return money("deposit", formData);
}

export async function withdrawAction(_previous: MoneyFormState, formData: FormData): Promise<MoneyFormState> {
  return money("withdrawal", formData);
}
