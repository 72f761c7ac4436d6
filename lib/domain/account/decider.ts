import type { Decider } from "../shared/decider";
import { assertNever, DomainError } from "../shared/errors";
import { streamIds } from "../shared/stream-id";
import type {
  AccountCommand,
  CaptureReservation,
  CloseAccount,
  CreditTransfer,
  DepositMoney,
  FreezeAccount,
  ReleaseReservation,
  ReserveFunds,
  UnfreezeAccount,
  WithdrawMoney,
} from "./commands";
import type { AccountEvent } from "./events";
import { availableBalance, type AccountState, type OpenedAccountState } from "./state";

export const initialAccountState = (): AccountState => ({ status: "Unopened" });

export function decideAccount(command: AccountCommand, state: AccountState): AccountEvent[] {
  if (command.type === "OpenAccount") {
    if (state.status !== "Unopened") {
      throw new DomainError("ACCOUNT_ALREADY_EXISTS", `Account ${command.data.accountId} already exists.`);
    }
    return [{ type: "AccountOpened", data: { ...command.data } }];
  }
  if (state.status === "Unopened") {
    throw new DomainError("ACCOUNT_NOT_FOUND", "No such account.");
  }
  switch (command.type) {
    case "DepositMoney":
      return deposit(command, state);
    case "WithdrawMoney":
      return withdraw(command, state);
    case "FreezeAccount":
      return freeze(command, state);
    case "UnfreezeAccount":
      return unfreeze(command, state);
    case "CloseAccount":
      return close(command, state);
    case "ReserveFunds":
      return reserve(command, state);
    case "ReleaseReservation":
      return release(command, state);
    case "CaptureReservation":
      return capture(command, state);
    case "CreditTransfer":
      return credit(command, state);
    default:
      return assertNever(command);
  }
}

function assertPositive(amount: bigint): void {
  // Validation at the command layer guarantees this; a breach here is a bug, not user input.
  if (amount <= 0n) throw new DomainError("INVARIANT_VIOLATED", "Amounts must be positive.");
}

function deposit({ data }: DepositMoney, state: OpenedAccountState): AccountEvent[] {
  assertPositive(data.amount);
  if (state.status === "Frozen") return [{ type: "DepositRejected", data: { ...data, code: "ACCOUNT_FROZEN" } }];
  if (state.status === "Closed") return [{ type: "DepositRejected", data: { ...data, code: "ACCOUNT_CLOSED" } }];
  return [{ type: "MoneyDeposited", data: { ...data } }];
}

function withdraw({ data }: WithdrawMoney, state: OpenedAccountState): AccountEvent[] {
  assertPositive(data.amount);
  const available = availableBalance(state);
  const reject = (code: "INSUFFICIENT_FUNDS" | "ACCOUNT_FROZEN" | "ACCOUNT_CLOSED"): AccountEvent[] => [
    { type: "WithdrawalRejected", data: { ...data, code, available } },
  ];
  if (state.status === "Frozen") return reject("ACCOUNT_FROZEN");
  if (state.status === "Closed") return reject("ACCOUNT_CLOSED");
  if (data.amount > available) return reject("INSUFFICIENT_FUNDS");
  return [{ type: "MoneyWithdrawn", data: { ...data } }];
}

function freeze({ data }: FreezeAccount, state: OpenedAccountState): AccountEvent[] {
  if (state.status === "Active") return [{ type: "AccountFrozen", data: { ...data } }];
  const code = state.status === "Frozen" ? "ALREADY_FROZEN" : "ACCOUNT_CLOSED";
  return [{ type: "AccountCommandRejected", data: { command: "FreezeAccount", code, reason: data.reason } }];
}

function unfreeze({ data }: UnfreezeAccount, state: OpenedAccountState): AccountEvent[] {
  if (state.status === "Frozen") return [{ type: "AccountUnfrozen", data: { ...data } }];
  const code = state.status === "Active" ? "NOT_FROZEN" : "ACCOUNT_CLOSED";
  return [{ type: "AccountCommandRejected", data: { command: "UnfreezeAccount", code, reason: data.reason } }];
}

function close({ data }: CloseAccount, state: OpenedAccountState): AccountEvent[] {
  const rejected = (code: "ACCOUNT_CLOSED" | "ACCOUNT_FROZEN" | "BALANCE_NOT_ZERO" | "FUNDS_RESERVED"): AccountEvent[] => [
    { type: "AccountCommandRejected", data: { command: "CloseAccount", code, reason: data.reason } },
  ];
  if (state.status === "Closed") return rejected("ACCOUNT_CLOSED");
  // A freeze (a legal order, a fraud review) must be lifted by an admin before the account can go.
  if (state.status === "Frozen") return rejected("ACCOUNT_FROZEN");
  if (state.reserved !== 0n) return rejected("FUNDS_RESERVED");
  if (state.balance !== 0n) return rejected("BALANCE_NOT_ZERO");
  return [{ type: "AccountClosed", data: { ...data } }];
}

function reserve({ data }: ReserveFunds, state: OpenedAccountState): AccountEvent[] {
  assertPositive(data.amount);
  // Already held for this transfer: the leg ran before (a retried step), nothing more to do.
  if (Object.hasOwn(state.reservations, data.transferId)) return [];
  const available = availableBalance(state);
  const reject = (code: "INSUFFICIENT_FUNDS" | "ACCOUNT_FROZEN" | "ACCOUNT_CLOSED" | "CURRENCY_MISMATCH"): AccountEvent[] => [
    { type: "ReservationRejected", data: { transferId: data.transferId, amount: data.amount, code, available } },
  ];
  if (state.status === "Frozen") return reject("ACCOUNT_FROZEN");
  if (state.status === "Closed") return reject("ACCOUNT_CLOSED");
  if (data.currency !== state.currency) return reject("CURRENCY_MISMATCH");
  if (data.amount > available) return reject("INSUFFICIENT_FUNDS");
  return [{ type: "FundsReserved", data: { transferId: data.transferId, amount: data.amount } }];
}

function release({ data }: ReleaseReservation, state: OpenedAccountState): AccountEvent[] {
  // Allowed in any state (a frozen account's holds may be released); no hold, nothing to release.
  if (!Object.hasOwn(state.reservations, data.transferId)) return [];
  const amount = state.reservations[data.transferId] as bigint;
  const returned = data.returned ? { returned: data.returned } : {};
  return [{ type: "ReservationReleased", data: { transferId: data.transferId, amount, reason: data.reason, ...returned } }];
}

function capture({ data }: CaptureReservation, state: OpenedAccountState): AccountEvent[] {
  // The debit was authorised when the hold was made, so a freeze since then does not undo it:
  // the destination has already been credited.
  if (!Object.hasOwn(state.reservations, data.transferId)) return [];
  const amount = state.reservations[data.transferId] as bigint;
  return [{ type: "ReservationCaptured", data: { ...data, amount } }];
}

/**
 * A credit leaves no hold behind to recognise a repeat by, and remembering every transfer ever
 * credited would grow the state without bound. Its once-only guarantee is the idempotency key
 * transfer:<id>:credit, stored in the same transaction as the credit (see the transfer runner).
 */
function credit({ data }: CreditTransfer, state: OpenedAccountState): AccountEvent[] {
  assertPositive(data.amount);
  const base = { transferId: data.transferId, amount: data.amount, counterparty: data.counterparty, reference: data.reference };
  if (state.status === "Frozen") return [{ type: "CreditRejected", data: { ...base, code: "ACCOUNT_FROZEN" } }];
  if (state.status === "Closed") return [{ type: "CreditRejected", data: { ...base, code: "ACCOUNT_CLOSED" } }];
  if (data.currency !== state.currency) return [{ type: "CreditRejected", data: { ...base, code: "CURRENCY_MISMATCH" } }];
  return [{ type: "TransferCredited", data: base }];
}

function withoutReservation(reservations: Readonly<Record<string, bigint>>, transferId: string): Record<string, bigint> {
  const { [transferId]: _gone, ...rest } = reservations;
  return rest;
}

export function evolveAccount(state: AccountState, event: AccountEvent): AccountState {
  if (event.type === "AccountOpened") {
    return {
      status: "Active",
      ...event.data,
      balance: 0n,
      reserved: 0n,
      reservations: {},
      deposits: 0,
      withdrawals: 0,
      rejections: 0,
    };
  }
  if (state.status === "Unopened") return state;
  switch (event.type) {
    case "MoneyDeposited":
      return { ...state, balance: state.balance + event.data.amount, deposits: state.deposits + 1 };
    case "MoneyWithdrawn":
      return { ...state, balance: state.balance - event.data.amount, withdrawals: state.withdrawals + 1 };
    case "AccountFrozen": {
      const { status: _previous, ...facts } = state;
      return { ...facts, status: "Frozen", freeze: { ...event.data } };
    }
    case "AccountUnfrozen":
    case "AccountClosed": {
      const { status: _previous, ...rest } = state;
      const facts = "freeze" in rest ? (({ freeze: _freeze, ...f }) => f)(rest) : rest;
      return { ...facts, status: event.type === "AccountClosed" ? "Closed" : "Active" };
    }
    case "DepositRejected":
    case "WithdrawalRejected":
    case "AccountCommandRejected":
    case "ReservationRejected":
    case "CreditRejected":
      return { ...state, rejections: state.rejections + 1 };
    case "FundsReserved":
      return {
        ...state,
        reserved: state.reserved + event.data.amount,
        reservations: { ...state.reservations, [event.data.transferId]: event.data.amount },
      };
    case "ReservationReleased":
      return {
        ...state,
        reserved: state.reserved - event.data.amount,
        reservations: withoutReservation(state.reservations, event.data.transferId),
      };
    case "ReservationCaptured":
      return {
        ...state,
        balance: state.balance - event.data.amount,
        reserved: state.reserved - event.data.amount,
        reservations: withoutReservation(state.reservations, event.data.transferId),
      };
    case "TransferCredited":
      return { ...state, balance: state.balance + event.data.amount };
    default:
      return assertNever(event);
  }
}

export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState> = {
  decide: decideAccount,
  evolve: evolveAccount,
  initialState: initialAccountState,
};

export const ACCOUNT_STREAM_TYPE = "account";
export const accountStreams = streamIds(ACCOUNT_STREAM_TYPE);
export const accountStreamId = accountStreams.of;
