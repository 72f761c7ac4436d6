import type { AccountEvent } from "../domain/account/events";
import type { Currency } from "../domain/shared/currency";
import { formatMoney as formatIn } from "../domain/shared/money";

/** The one place that turns rejection codes into words a customer reads. */
export const REJECTION_MESSAGES: Record<string, string> = {
  INSUFFICIENT_FUNDS: "insufficient funds",
  ACCOUNT_FROZEN: "the account is frozen",
  ACCOUNT_CLOSED: "the account is closed",
  ALREADY_FROZEN: "the account is already frozen",
  NOT_FROZEN: "the account is not frozen",
  BALANCE_NOT_ZERO: "the balance is not zero",
  FUNDS_RESERVED: "money is reserved for transfers in progress",
  AMOUNT_TOO_LARGE: "the amount is above the limit",
  CURRENCY_MISMATCH: "the accounts hold different currencies",
  RETURNED_BY_SCHEME: "the receiving bank sent the payment back; no money left the account",
};

export const rejectionText = (code: string | null | undefined): string => (code && REJECTION_MESSAGES[code]) || "it was refused";

/** A sentence for a refused money command, naming the amounts involved. */
export function describeRefusal(event: AccountEvent, currency: Currency, locale?: string): string {
  const formatMoney = (amount: bigint, of: Currency) => formatIn(amount, of, locale);
  switch (event.type) {
    case "WithdrawalRejected": {
      const asked = formatMoney(event.data.amount, currency);
      if (event.data.code === "INSUFFICIENT_FUNDS") {
        return `Withdrawal refused: insufficient funds. You asked for ${asked} but only ${formatMoney(event.data.available, currency)} is available.`;
      }
      return `Withdrawal of ${asked} refused: ${rejectionText(event.data.code)}.`;
    }
    case "DepositRejected":
      return `Deposit of ${formatMoney(event.data.amount, currency)} refused: ${rejectionText(event.data.code)}.`;
    default:
      return "The request was refused.";
  }
}

export const FREEZE_CATEGORY_LABELS: Record<string, string> = {
  suspected_fraud: "Suspected fraud",
  compliance_review: "Compliance review",
  customer_request: "At your request",
  legal_order: "Legal order",
  other: "Other reason",
};
