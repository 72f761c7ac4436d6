import { accountNumberFromDigits } from "@/lib/domain/account/account-number";
import type { AccountCommand, Counterparty, OpenAccount } from "@/lib/domain/account/commands";
import type { AccountEvent } from "@/lib/domain/account/events";

/** Commands and events for account specs; commands and their events carry the same data. */
export const openingData: OpenAccount["data"] = {
  accountId: "acc-1",
  customerId: "cust-1",
  currency: "EUR",
  number: accountNumberFromDigits("12345678"),
  nickname: "Household",
};

export const openAccount = (): AccountCommand => ({ type: "OpenAccount", data: { ...openingData } });
export const deposit = (amount: bigint, reference: string | null = null): AccountCommand => ({
  type: "DepositMoney",
  data: { amount, reference },
});
export const withdraw = (amount: bigint, reference: string | null = null): AccountCommand => ({
  type: "WithdrawMoney",
  data: { amount, reference },
});
export const freeze = (reason = "card reported stolen"): AccountCommand => ({
  type: "FreezeAccount",
  data: { category: "suspected_fraud", reason },
});
export const unfreeze = (reason = "card found"): AccountCommand => ({ type: "UnfreezeAccount", data: { reason } });
export const close = (reason = "customer moved abroad"): AccountCommand => ({ type: "CloseAccount", data: { reason } });

export const accountOpened = (): AccountEvent => ({ type: "AccountOpened", data: { ...openingData } });
export const moneyDeposited = (amount: bigint, reference: string | null = null): AccountEvent => ({
  type: "MoneyDeposited",
  data: { amount, reference },
});
export const moneyWithdrawn = (amount: bigint, reference: string | null = null): AccountEvent => ({
  type: "MoneyWithdrawn",
  data: { amount, reference },
});
export const accountFrozen = (reason = "card reported stolen"): AccountEvent => ({
  type: "AccountFrozen",
  data: { category: "suspected_fraud", reason },
});
export const accountUnfrozen = (reason = "card found"): AccountEvent => ({ type: "AccountUnfrozen", data: { reason } });
export const accountClosed = (reason = "customer moved abroad"): AccountEvent => ({ type: "AccountClosed", data: { reason } });

// Transfer legs, as the transfer process manager sends them to an account.

/** The other side of a transfer as it appears on this account's statement. */
export const counterparty: Counterparty = { accountId: "acc-2", number: accountNumberFromDigits("87654321"), name: "Ada Lovelace" };

export const reserveFunds = (transferId: string, amount: bigint, currency: string = openingData.currency): AccountCommand => ({
  type: "ReserveFunds",
  data: { transferId, amount, currency },
});
export const releaseReservation = (transferId: string, reason = "payee account frozen"): AccountCommand => ({
  type: "ReleaseReservation",
  data: { transferId, reason },
});
export const captureReservation = (transferId: string, reference: string | null = "invoice 7"): AccountCommand => ({
  type: "CaptureReservation",
  data: { transferId, counterparty: { ...counterparty }, reference },
});
export const creditTransfer = (
  transferId: string,
  amount: bigint,
  currency: string = openingData.currency,
  reference: string | null = "invoice 7",
): AccountCommand => ({
  type: "CreditTransfer",
  data: { transferId, amount, currency, counterparty: { ...counterparty }, reference },
});

export const fundsReserved = (transferId: string, amount: bigint): AccountEvent => ({
  type: "FundsReserved",
  data: { transferId, amount },
});
export const reservationReleased = (transferId: string, amount: bigint, reason = "payee account frozen"): AccountEvent => ({
  type: "ReservationReleased",
  data: { transferId, amount, reason },
});
export const reservationCaptured = (transferId: string, amount: bigint, reference: string | null = "invoice 7"): AccountEvent => ({
  type: "ReservationCaptured",
  data: { transferId, amount, counterparty: { ...counterparty }, reference },
});
export const transferCredited = (transferId: string, amount: bigint, reference: string | null = "invoice 7"): AccountEvent => ({
  type: "TransferCredited",
  data: { transferId, amount, counterparty: { ...counterparty }, reference },
});
