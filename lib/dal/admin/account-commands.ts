import "server-only";

import { randomUUID } from "node:crypto";

import { freezeAccount } from "../../commands/accounts";
import { unfreezeOrRequestApproval } from "../../commands/approvals";
import { FREEZE_CATEGORY_LABELS, rejectionText } from "../../errors/messages";
import { findAccount } from "../../read-models/accounts";
import { commandContext } from "../context";
import { adminFormCommand, FormRefusal, formText, formValues } from "../form";

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
 * Freezes or unfreezes an account from the back office. Only an admin gets past the envelope; the
 * reason is mandatory (the command refuses an empty one, appending nothing). A freeze of a frozen
 * account or an unfreeze of an active one is recorded as a refusal (AccountCommandRejected) and said
 * so. The form's command id makes a double submit one command.
 */
export async function submitAccountControl(formData: FormData): Promise<AccountControlState> {
  const intent: "freeze" | "unfreeze" = formText(formData, "intent") === "unfreeze" ? "unfreeze" : "freeze";
  const values = formValues(formData, ["category", "reason"]);
  const outcome = await adminFormCommand(formData, {
    commandId: "required",
    check: "the account",
    refusals: {
      ACCOUNT_NOT_FOUND: "Account not found.",
      APPROVAL_PENDING: "Its unfreeze already awaits approval by a second admin: approve or decline it under Approvals.",
    },
    async run({ metadata }): Promise<Pick<AccountControlState, "status" | "message">> {
      const accountId = formText(formData, "accountId");
      const ctx = await commandContext();
      const account = await findAccount(ctx.db, accountId);
      if (!account) throw new FormRefusal("Account not found.");
      if (intent === "freeze")
        return said(intent, await freezeAccount(ctx, { accountId, category: values.category, reason: values.reason }, metadata));
      const unfrozen = await unfreezeOrRequestApproval(ctx, { accountId, reason: values.reason }, metadata);
      if (unfrozen.kind === "approval-requested") {
        return {
          status: "success",
          message: "A fraud freeze is lifted only with a second admin's approval: the unfreeze now awaits approval by a second admin (Approvals).",
        };
      }
      return said(intent, unfrozen.result);
    },
  });
  if (outcome.ok) return { intent, commandId: randomUUID(), ...outcome.value };
  const kept = { intent, values, commandId: outcome.commandId };
  return outcome.kind === "invalid"
    ? { ...kept, status: "invalid", fieldErrors: { category: outcome.fieldErrors.category, reason: outcome.fieldErrors.reason } }
    : { ...kept, status: "error", message: outcome.message };
}

/** What the account's answer to a freeze or unfreeze means, in the admin's words. */
function said(intent: "freeze" | "unfreeze", result: Awaited<ReturnType<typeof freezeAccount>>): Pick<AccountControlState, "status" | "message"> {
  const event = result.event.event;
  if (event.type === "AccountCommandRejected") {
    const verb = intent === "freeze" ? "Freeze" : "Unfreeze";
    return { status: "rejected", message: `${verb} refused: ${rejectionText(event.data.code)}. Nothing changed; the refusal is in the audit trail.` };
  }
  if (event.type === "AccountFrozen") {
    const category = FREEZE_CATEGORY_LABELS[event.data.category] ?? event.data.category;
    return {
      status: "success",
      message: `Account frozen (${category}). The customer sees the category, not your note; deposits, withdrawals and transfers are refused.`,
    };
  }
  return { status: "success", message: "Account unfrozen. Deposits, withdrawals and transfers work again." };
}
