"use server";

import { revalidatePath } from "next/cache";

import {
  registerMyWebhook,
  replayMyWebhook,
  resendMyDelivery,
  rotateMyWebhookSecret,
  setMyWebhookStatus,
  type RegisterWebhookFormState,
  type ReplayFormState,
  type RotateFormState,
} from "@/lib/dal/webhooks";

// Thin edges: the DAL checks the session and that the endpoint is the user's own.

export async function registerWebhookAction(_previous: RegisterWebhookFormState, formData: FormData): Promise<RegisterWebhookFormState> {
  const state = await registerMyWebhook(formData);
  if (state.status === "created") revalidatePath("/settings/webhooks");
  return state;
}

export async function resendDeliveryAction(formData: FormData): Promise<void> {
  if (await resendMyDelivery(formData)) revalidatePath(`/settings/webhooks/${String(formData.get("endpointId"))}`);
}

export async function replayWebhookAction(_previous: ReplayFormState, formData: FormData): Promise<ReplayFormState> {
  const state = await replayMyWebhook(formData);
  if (state.status === "done") revalidatePath(`/settings/webhooks/${String(formData.get("endpointId"))}`);
  return state;
}

export async function rotateSecretAction(_previous: RotateFormState, formData: FormData): Promise<RotateFormState> {
  return rotateMyWebhookSecret(formData);
}

export async function setWebhookStatusAction(formData: FormData): Promise<void> {
  if (await setMyWebhookStatus(formData)) revalidatePath(`/settings/webhooks/${String(formData.get("endpointId"))}`);
}
