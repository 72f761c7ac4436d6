import "server-only";
import { requestIds } from "../request-context";
import { randomUUID } from "node:crypto";
import { depositMoney, openAccount, withdrawMoney } from "../commands/accounts";
import { DomainError, ValidationError } from "../domain/shared/errors";
import { formatMoney as formatIn, parseDecimalAmount } from "../domain/shared/money";
import { myFormatting } from "./formatting";
import { IdempotencyKeyReusedError } from "../event-store/errors";
import { describeRefusal } from "../errors/messages";
import { findOwnedAccount } from "./accounts";
import { commandContext } from "./context";
import { currentUser } from "./session";
import { env } from "../env";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a money form shows after a submit. `commandId` is the id the next submit must carry. */
export type MoneyFormState = {
  status: "idle" | "success" | "rejected" | "invalid" | "error";
  message?: string;
  fieldErrors?: { amount?: string[]; reference?: string[] };
  commandId: string;
  values?: { amount: string; reference: string };
  balance?: string;
};

const text = (formData: FormData, key: string) => {
  const value = formData.get(key);
  return typeof value === "string" ? value : "";
};

/**
 * Deposit or withdraw from a form. Checks the session and that the account is the user's own
 * before anything else; every refusal before the command runs appends nothing.
 */
export const SELF_SERVICE_OFF_MESSAGE = "Deposits and withdrawals are not offered here: money arrives by payment to your account number.";

/** SELF_SERVICE_DEPOSITS: whether customers may deposit and withdraw themselves. */
export const selfServiceDeposits = (): boolean => env().SELF_SERVICE_DEPOSITS;

export async function submitMoneyCommand(kind: "deposit" | "withdrawal", formData: FormData): Promise<MoneyFormState> {
  const commandId = text(formData, "commandId");
  const values = { amount: text(formData, "amount"), reference: text(formData, "reference") };
  const fresh = { commandId: randomUUID(), values };
  const user = await currentUser();
  if (!user) return { ...fresh, status: "error", message: "Your session has ended. Sign in again to continue." };
  if (!selfServiceDeposits()) return { ...fresh, status: "error", message: SELF_SERVICE_OFF_MESSAGE };
  const account = await findOwnedAccount(user, formData.get("accountId"));
  if (!account) return { ...fresh, status: "error", message: "Account not found." };
  if (!UUID.test(commandId)) {
    return { ...fresh, status: "error", message: "This form has expired. Reload the page and try again." };
  }
  const keep = { commandId, values };
  const currency = account.currency;
  // Messages name amounts the way the rest of the page shows them.
  const { locale } = await myFormatting();
  const formatMoney = (amount: bigint, of: typeof currency) => formatIn(amount, of, locale);

  const parsed = parseDecimalAmount(values.amount, currency);
  if (!parsed.ok) return { ...keep, status: "invalid", fieldErrors: { amount: [parsed.message] } };
  if (parsed.amount === 0n) return { ...keep, status: "invalid", fieldErrors: { amount: ["Enter an amount greater than zero."] } };

  const ctx = await commandContext();
  if (parsed.amount > ctx.maxAmount) {
    return { ...keep, status: "invalid", fieldErrors: { amount: [`The most you can move at once is ${formatMoney(ctx.maxAmount, currency)}.`] } };
  }
  const command = kind === "deposit" ? depositMoney : withdrawMoney;
  try {
    const result = await command(
      ctx,
      { accountId: account.accountId, amount: parsed.amount, reference: values.reference },
      { now: new Date(), actor: { id: user.id, role: user.role }, commandId, origin: "web", ...(await requestIds()) },
    );
    const balance = result.state && result.state.status !== "Unopened" ? result.state.balance : undefined;
    if (result.outcome === "rejected") {
      return { commandId: randomUUID(), status: "rejected", message: describeRefusal(result.event.event, currency, locale), values };
    }
    const verb = kind === "deposit" ? "Deposited" : "Withdrew";
    const amount = formatMoney(parsed.amount, currency);
    return {
      commandId: randomUUID(),
      status: "success",
      message: balance === undefined ? `${verb} ${amount}.` : `${verb} ${amount}. New balance: ${formatMoney(balance, currency)}.`,
      balance: balance?.toString(),
    };
  } catch (error) {
    if (error instanceof ValidationError) return { ...keep, status: "invalid", fieldErrors: error.fieldErrors };
    if (error instanceof IdempotencyKeyReusedError) {
      return { ...fresh, status: "error", message: "This form was already sent with different details. Check the statement before trying again." };
    }
    if (error instanceof DomainError && error.code === "ACCOUNT_NOT_FOUND") return { ...fresh, status: "error", message: "Account not found." };
    throw error;
  }
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
  const user = await currentUser();
  if (!user) return { status: "error", message: "Your session has ended. Sign in again to continue." };
  const values = { currency: text(formData, "currency"), nickname: text(formData, "nickname") };
  const commandId = text(formData, "commandId");
  if (!UUID.test(commandId)) return { status: "error", message: "This form has expired. Reload the page and try again.", values, commandId: randomUUID() };
  try {
    // The account's id comes from the command id: a form sent twice opens one account, and the
    // second answer is the first account.
    const result = await openAccount(
      await commandContext(),
      { customerId: user.id, currency: values.currency, nickname: values.nickname },
      { now: new Date(), actor: { id: user.id, role: user.role }, commandId, origin: "web", ...(await requestIds()) },
    );
    return { accountId: result.accountId };
  } catch (error) {
    if (error instanceof ValidationError) {
      return { status: "invalid", fieldErrors: { currency: error.fieldErrors.currency, nickname: error.fieldErrors.nickname }, values, commandId };
    }
    if (error instanceof IdempotencyKeyReusedError) {
      return { status: "error", message: "This form was already sent with other details. Check your accounts before trying again.", values, commandId: randomUUID() };
    }
    throw error;
  }
}
