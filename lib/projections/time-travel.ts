import { evolveAccount, initialAccountState } from "../domain/account/decider";
import type { AccountEvent } from "../domain/account/events";
import type { AccountState } from "../domain/account/state";

/** One account event as time travel needs it: where it sits in the stream, and when it was recorded. */
export type PositionedAccountEvent = { readonly streamPosition: bigint; readonly recordedAt: Date; readonly event: AccountEvent };

export type TimeTravelTarget = { readonly position: bigint } | { readonly at: Date };

/**
 * The account as it stood at `target`, by folding its events with the domain's own `evolve` from the
 * initial state: the same function that decides commands, so history cannot be told differently.
 * `position` counts the events applied (0: before the account was opened). Events must be in stream
 * order; a target between two events lands on the earlier one.
 */
export function accountStateAt(events: readonly PositionedAccountEvent[], target: TimeTravelTarget): { state: AccountState; position: bigint } {
  let state = initialAccountState();
  let position = 0n;
  for (const { streamPosition, recordedAt, event } of events) {
    if ("position" in target ? streamPosition > target.position : recordedAt.getTime() > target.at.getTime()) break;
    state = evolveAccount(state, event);
    position = streamPosition;
  }
  return { state, position };
}

/** Balance, reserved, available and status of a state, for display; undefined before the account opened. */
export function stateFigures(state: AccountState) {
  if (state.status === "Unopened") return undefined;
  return {
    status: state.status,
    balance: state.balance,
    reserved: state.reserved,
    available: state.balance - state.reserved,
    freeze: state.status === "Frozen" ? state.freeze : null,
    deposits: state.deposits,
    withdrawals: state.withdrawals,
    rejections: state.rejections,
  };
}
