import "server-only";

import { randomUUID } from "node:crypto";

import { depositMoney, openAccount, withdrawMoney } from "../commands/accounts";
import { formatMoney, parseDecimalAmount } from "../domain/shared/money";
import { env } from "../env";
import { describeRefusal } from "../errors/messages";
import { findOwnedAccount } from "./accounts";
import { commandContext } from "./context";
import { fieldError, formCommand, FormRefusal, formValues, pickFields } from "./form";
import { myFormatting } from "./formatting";

/** What a money form shows after a submit. `commandId` is the id the next submit must carry. */
export type MoneyFormState = {
  status: "idle" | "success" | "rejected" | "invalid" | "error";
  message?: string;
  fieldErrors?: { amount?: string[]; reference?: string[] };
  commandId: string;
  values?: { amount: string; reference: string };
  balance?: string;
};

export const SELF_SERVICE_OFF_MESSAGE = "Deposits and withdrawals are not offered here: money arrives by payment to your account number.";

/** SELF_SERVICE_DEPOSITS: whether customers may deposit and withdraw themselves. */
export const selfServiceDeposits = (): boolean => env().SELF_SERVICE_DEPOSITS;

/**
 * Deposit or withdraw from a form. Checks the session and that the account is the user's own
 * before anything else; every refusal before the command runs appends nothing.
 */
export async function submitMoneyCommand(kind: "deposit" | "withdrawal", formData: FormData): Promise<MoneyFormState> {
  const values = formValues(formData, ["amount", "reference"]);
  const outcome = await formCommand(formData, {
    commandId: "required",
    check: "the statement",
    async run({ user, metadata }) {
      if (!selfServiceDeposits()) throw new FormRefusal(SELF_SERVICE_OFF_MESSAGE);
      const account = await findOwnedAccount(user, formData.get("accountId"));
      if (!account) throw new FormRefusal("Account not found.");
      const ctx = await commandContext();
      const amount = parseMoneyField(values.amount, account.currency, ctx.maxAmount, { locale: (await myFormatting()).locale });
      const command = kind === "deposit" ? depositMoney : withdrawMoney;
      const result = await command(ctx, { accountId: account.accountId, amount, reference: values.reference }, metadata);
      return { result, amount, currency: account.currency };
    },
  });
  if (!outcome.ok) {
    return outcome.kind === "invalid"
      ? { status: "invalid", fieldErrors: pickFields(outcome.fieldErrors, ["amount", "reference"]), commandId: outcome.commandId, values }
      : { status: "error", message: outcome.message, commandId: outcome.commandId, values };
  }
  const { result, amount, currency } = outcome.value;
  // Messages name amounts the way the rest of the page shows them.
  const { locale } = await myFormatting();
  if (result.outcome === "rejected") {
    return { commandId: randomUUID(), status: "rejected", message: describeRefusal(result.event.event, currency, locale), values };
  }
  const balance = result.state && result.state.status !== "Unopened" ? result.state.balance : undefined;
  const done = `${kind === "deposit" ? "Deposited" : "Withdrew"} ${formatMoney(amount, currency, locale)}.`;
  return {
    commandId: randomUUID(),
    status: "success",
    message: balance === undefined ? done : `${done} New balance: ${formatMoney(balance, currency, locale)}.`,
    balance: balance?.toString(),
  };
}

/** A decimal amount typed into a form, in minor units of `currency`; a field error when it is not one the bank takes. */
export function parseMoneyField(
  text: string,
  currency: Parameters<typeof parseDecimalAmount>[1],
  maxAmount: bigint,
  options: { field?: string; locale?: string } = {},
): bigint {
  const field = options.field ?? "amount";
  const parsed = readAmountText(text, currency);
  if (!parsed.ok) throw fieldError(field, parsed.message);
  if (parsed.amount > maxAmount) throw fieldError(field, `The most you can move at once is ${formatMoney(maxAmount, currency, options.locale)}.`);
  return parsed.amount;
}

/** A decimal amount typed into a form, in minor units of `currency`, or what is wrong with the text (the limits are the command's). */
export function readAmountText(
  text: string,
  currency: Parameters<typeof parseDecimalAmount>[1],
): { ok: true; amount: bigint } | { ok: false; message: string } {
  const parsed = parseDecimalAmount(text, currency);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  if (parsed.amount === 0n) return { ok: false, message: "Enter an amount greater than zero." };
  return { ok: true, amount: parsed.amount };
}

export type OpenAccountFormState = {
  status: "idle" | "invalid" | "error";
  /** The command id the next submit must carry. */
  commandId?: string;
  fieldErrors?: { currency?: string[]; nickname?: string[] };
  message?: string;
  values?: { currency: string; nickname: string };
};

/** Opens an account for the signed-in customer; returns its id, or the form's errors. */
export async function openAccountForMe(formData: FormData): Promise<{ accountId: string } | OpenAccountFormState> {
  const values = formValues(formData, ["currency", "nickname"]);
  const outcome = await formCommand(formData, {
    commandId: "required",
    check: "your accounts",
    // The account's id comes from the command id: a form sent twice opens one account, and the
    // second answer is the first account.
    run: async ({ user, metadata }) => openAccount(await commandContext(), { customerId: user.id, ...values }, metadata),
  });
  if (outcome.ok) return { accountId: outcome.value.accountId };
  return outcome.kind === "invalid"
    ? { status: "invalid", fieldErrors: pickFields(outcome.fieldErrors, ["currency", "nickname"]), values, commandId: outcome.commandId }
    : { status: "error", message: outcome.message, values, commandId: outcome.commandId };
}
