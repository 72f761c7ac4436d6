"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";

import { changeMyOrder, setMyTimeZone, submitOrderEditForm, submitOrderForm, type EditOrderFormState, type OrderFormState } from "@/lib/dal/orders";

export async function orderAction(_previous: OrderFormState, formData: FormData): Promise<OrderFormState> {
  const result = await submitOrderForm(formData);
  if (!("orderId" in result)) return result;
  revalidatePath("/orders");
  redirect(`/orders/${result.orderId}`);
}

export async function changeOrderAction(formData: FormData): Promise<void> {
  if (await changeMyOrder(formData)) revalidatePath("/orders");
  const orderId = formData.get("orderId");
  if (typeof orderId === "string") revalidatePath(`/orders/${orderId}`);
}

export async function editOrderAction(_previous: EditOrderFormState, formData: FormData): Promise<EditOrderFormState> {
  const state = await submitOrderEditForm(formData);
  const orderId = formData.get("orderId");
  if (state.saved && typeof orderId === "string") revalidatePath(`/orders/${orderId}`);
  return state;
}

export async function timeZoneAction(formData: FormData): Promise<void> {
  if ((await setMyTimeZone(formData)).ok) revalidatePath("/orders");
}
