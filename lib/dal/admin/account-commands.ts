import "server-only";
import { randomUUID } from "node:crypto";
import { freezeAccount } from "../../commands/accounts";
import { unfreezeOrRequestApproval } from "../../commands/approvals";
import { database } from "../../db";
import { DomainError, ValidationError } from "../../domain/shared/errors";
import { IdempotencyKeyReusedError } from "../../event-store/errors";
import { FREEZE_CATEGORY_LABELS, rejectionText } from "../../errors/messages";
import { findAccount } from "../../read-models/accounts";
import { commandContext } from "../context";
import { adminMetadata, currentAdmin, formText, NOT_AN_ADMIN_MESSAGE, UUID } from "./access";

/** What the freeze / unfreeze controls show after a submit; `commandId` is the one the next submit carries. */
export type AccountControlState = {
  status: "idle" | "success" | "rejected" | "invalid" | "error";
  intent?: "freeze" | "unfreeze";
  message?: string;
  fieldErrors?: { category?: string[]; reason?: string[] };
  values?: { category: string; reason: string };
  commandId: string;
};

/**
 * Freezes or unfreezes an account from the back office. Only an admin gets past the first line; the
 * reason is mandatory (the command refuses an empty one, appending nothing). A freeze of a frozen
 * account or an unfreeze of an active one is recorded as a refusal (AccountCommandRejected) and said
 * so. The form's command id makes a double submit one command.
 */
export async function submitAccountControl(formData: FormData): Promise<AccountControlState> {
  const intent = formText(formData, "intent") === "unfreeze" ? "unfreeze" : "freeze";
  const values = { category: formText(formData, "category"), reason: formText(formData, "reason") };
  const commandId = formText(formData, "commandId");
  const fresh = { intent, values, commandId: randomUUID() } as const;
  const admin = await currentAdmin();
  if (!admin) return { ...fresh, status: "error", message: NOT_AN_ADMIN_MESSAGE };
  const accountId = formText(formData, "accountId");
  const { db } = await database();
  const account = await findAccount(db, accountId);
  if (!account) return { ...fresh, status: "error", message: "Account not found." };
  if (!UUID.test(commandId)) return { ...fresh, status: "error", message: "This form has expired. Reload the page and try again." };
  const keep = { intent, values, commandId } as const;

  try {
    const ctx = await commandContext();
    const metadata = await adminMetadata(admin, commandId);
    let result;
    if (intent === "freeze") result = await freezeAccount(ctx, { accountId, category: values.category, reason: values.reason }, metadata);
    else {
      const outcome = await unfreezeOrRequestApproval(ctx, { accountId, reason: values.reason }, metadata);
      if (outcome.kind === "approval-requested") {
        return {
          intent,
          commandId: randomUUID(),
          status: "success",
          message: "A fraud freeze is lifted only with a second admin's approval: the unfreeze now awaits approval by a second admin (Approvals).",
        };
      }
      result = outcome.result;
    }
    const event = result.event.event;
    if (event.type === "AccountCommandRejected") {
      const verb = intent === "freeze" ? "Freeze" : "Unfreeze";
      return {
        intent,
        commandId: randomUUID(),
        status: "rejected",
        message: `${verb} refused: ${rejectionText(event.data.code)}. Nothing changed; the refusal is in the audit trail.`,
      };
    }
    if (event.type === "AccountFrozen") {
      const category = FREEZE_CATEGORY_LABELS[event.data.category] ?? event.data.category;
      return {
        intent,
        commandId: randomUUID(),
        status: "success",
        message: `Account frozen (${category}). The customer sees the category, not your note; deposits, withdrawals and transfers are refused.`,
      };
    }
    return { intent, commandId: randomUUID(), status: "success", message: "Account unfrozen. Deposits, withdrawals and transfers work again." };
  } catch (error) {
    if (error instanceof ValidationError) {
      const fieldErrors = { category: error.fieldErrors.category, reason: error.fieldErrors.reason };
      return { ...keep, status: "invalid", fieldErrors };
    }
    if (error instanceof IdempotencyKeyReusedError) {
      return { ...fresh, status: "error", message: "This form was already sent with other details. Reload the page to see where the account stands." };
    }
    if (error instanceof DomainError && error.code === "ACCOUNT_NOT_FOUND") return { ...fresh, status: "error", message: "Account not found." };
    if (error instanceof DomainError && error.code === "OWN_ITEM") return { ...fresh, status: "error", message: error.message };
    if (error instanceof DomainError && error.code === "APPROVAL_PENDING") {
      return { ...fresh, status: "error", message: "Its unfreeze already awaits approval by a second admin: approve or decline it under Approvals." };
    }
    throw error;
  }
}
