import type { Currency } from "../shared/currency";
import type { FreezeCategory } from "./commands";

type OpenAccountFacts = {
  readonly accountId: string;
  readonly customerId: string;
  readonly currency: Currency;
  readonly number: string;
  readonly nickname: string | null;
  /** Ledger balance in minor units. */
  readonly balance: bigint;
  /** Held for transfers in flight; available = balance - reserved. */
  readonly reserved: bigint;
  /** The holds behind `reserved`, by transfer id: what makes each leg idempotent. */
  readonly reservations: Readonly<Record<string, bigint>>;
  readonly deposits: number;
  readonly withdrawals: number;
  readonly rejections: number;
};

export type UnopenedAccount = { readonly status: "Unopened" };
export type ActiveAccount = OpenAccountFacts & { readonly status: "Active" };
export type FrozenAccount = OpenAccountFacts & {
  readonly status: "Frozen";
  readonly freeze: { readonly category: FreezeCategory; readonly reason: string };
};
export type ClosedAccount = OpenAccountFacts & { readonly status: "Closed" };

export type AccountState = UnopenedAccount | ActiveAccount | FrozenAccount | ClosedAccount;
export type OpenedAccountState = Exclude<AccountState, UnopenedAccount>;

export function availableBalance(state: OpenedAccountState): bigint {
  return state.balance - state.reserved;
}
/** The status an opened account's read model row carries. */
export type AccountStatus = OpenedAccountState["status"];
