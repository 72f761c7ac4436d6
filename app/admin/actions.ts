"use server";

import { revalidatePath } from "next/cache";

import { submitAccountControl, type AccountControlState } from "@/lib/dal/admin/account-commands";
import { submitApprovalDecision, type ApprovalDecisionState } from "@/lib/dal/admin/approvals";
import { submitInboundReview, type InboundReviewState } from "@/lib/dal/admin/inbound-payments";
import { runRebuild, runVerify, type ProjectionRunState } from "@/lib/dal/admin/projections";
import { submitSanctionsAddition, submitSanctionsRemoval, type SanctionsFormState } from "@/lib/dal/admin/sanctions";
import { submitTransferReview, type TransferReviewState } from "@/lib/dal/admin/transfers";

// Thin edges: each DAL function checks that the caller is an admin before anything else and answers
// everyone else "Not found." with nothing changed.

export async function accountControlAction(_previous: AccountControlState, formData: FormData): Promise<AccountControlState> {
  const state = await submitAccountControl(formData);
  if (state.status === "success" || state.status === "rejected") {
    revalidatePath(`/admin/accounts/${String(formData.get("accountId"))}`, "layout");
  }
  return state;
}

export async function transferReviewAction(_previous: TransferReviewState, formData: FormData): Promise<TransferReviewState> {
  const state = await submitTransferReview(formData);
  if (state.status === "success") revalidatePath("/admin/transfers");
  return state;
}

export async function approvalDecisionAction(_previous: ApprovalDecisionState, formData: FormData): Promise<ApprovalDecisionState> {
  const state = await submitApprovalDecision(formData);
  // A refusal was recorded too (the audit trail changed); the queue itself changes only on a decision.
  if (state.status === "success") {
    revalidatePath("/admin/approvals");
    revalidatePath("/admin/transfers");
  }
  return state;
}

export async function inboundReviewAction(_previous: InboundReviewState, formData: FormData): Promise<InboundReviewState> {
  const state = await submitInboundReview(formData);
  if (state.status === "success") revalidatePath("/admin/inbound");
  return state;
}

export async function addSanctionsEntryAction(_previous: SanctionsFormState, formData: FormData): Promise<SanctionsFormState> {
  const state = await submitSanctionsAddition(formData);
  if (state.status === "success") revalidatePath("/admin/sanctions");
  return state;
}

export async function removeSanctionsEntryAction(_previous: SanctionsFormState, formData: FormData): Promise<SanctionsFormState> {
  const state = await submitSanctionsRemoval(formData);
  if (state.status === "success") revalidatePath("/admin/sanctions");
  return state;
}

export async function verifyProjectionsAction(_previous: ProjectionRunState): Promise<ProjectionRunState> {
  return runVerify();
}

export async function rebuildProjectionsAction(_previous: ProjectionRunState): Promise<ProjectionRunState> {
  const state = await runRebuild();
  if (state.status === "done") revalidatePath("/admin/projections");
  return state;
}
