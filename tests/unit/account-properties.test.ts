import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { FREEZE_CATEGORIES, type AccountCommand } from "@/lib/domain/account/commands";
import { decideAccount, evolveAccount, initialAccountState } from "@/lib/domain/account/decider";
import { REJECTION_EVENT_TYPES, type AccountEvent } from "@/lib/domain/account/events";
import type { AccountState } from "@/lib/domain/account/state";

import { openAccount } from "./support/account-fixtures";

const amount = fc.bigInt({ min: 1n, max: 1_000_000n });
const reference = fc.option(fc.string({ maxLength: 12 }), { nil: null });
const reason = fc.string({ minLength: 1, maxLength: 12 });

const command: fc.Arbitrary<AccountCommand> = fc.oneof(
  // Money commands are weighted up so balances build, drain and sometimes reach zero before a close.
  { weight: 4, arbitrary: fc.record({ amount, reference }).map((data): AccountCommand => ({ type: "DepositMoney", data })) },
  { weight: 4, arbitrary: fc.record({ amount, reference }).map((data): AccountCommand => ({ type: "WithdrawMoney", data })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ category: fc.constantFrom(...FREEZE_CATEGORIES), reason })
      .map((data): AccountCommand => ({ type: "FreezeAccount", data })),
  },
  { weight: 1, arbitrary: fc.record({ reason }).map((data): AccountCommand => ({ type: "UnfreezeAccount", data })) },
  { weight: 1, arbitrary: fc.record({ reason }).map((data): AccountCommand => ({ type: "CloseAccount", data })) },
);

/** "medium" makes sequences average ~28 commands, long enough to freeze, drain and close accounts often. */
const commandSequence = fc.array(command, { maxLength: 60, size: "medium" });

const balanceOf = (state: AccountState): bigint => {
  if (state.status === "Unopened") throw new Error("the account must be open");
  return state.balance;
};

/** Runs `commands` on a freshly opened account through decide + evolve, checking every step. */
function run(commands: readonly AccountCommand[]): { state: AccountState; events: AccountEvent[]; deposited: bigint; withdrawn: bigint } {
  const events: AccountEvent[] = [];
  let state = initialAccountState();
  let deposited = 0n;
  let withdrawn = 0n;
  for (const next of [openAccount(), ...commands]) {
    for (const event of decideAccount(next, state)) {
      const before = state;
      state = evolveAccount(state, event);
      events.push(event);
      if (event.type === "MoneyDeposited") deposited += event.data.amount;
      if (event.type === "MoneyWithdrawn") withdrawn += event.data.amount;

      expect(balanceOf(state)).toBe(deposited - withdrawn);
      expect(balanceOf(state)).toBeGreaterThanOrEqual(0n);
      if (REJECTION_EVENT_TYPES.has(event.type)) expect(balanceOf(state)).toBe(balanceOf(before));
      // Closed is terminal and a freeze stops money: only refusals follow, and a freeze only lifts by unfreezing.
      if (before.status === "Closed") expect(REJECTION_EVENT_TYPES.has(event.type)).toBe(true);
      if (before.status === "Frozen") expect(["MoneyDeposited", "MoneyWithdrawn"]).not.toContain(event.type);
    }
  }
  return { state, events, deposited, withdrawn };
}

describe("account properties over random command sequences", () => {
  it("the balance is accepted deposits minus accepted withdrawals, never negative, rejections leave it alone, Closed is terminal", () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        const { state, deposited, withdrawn } = run(commands);
        expect(balanceOf(state)).toBe(deposited - withdrawn);
      }),
      { numRuns: 300 },
    );
  });

  it("replaying the produced events from the initial state gives exactly the same state", () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        const { state, events } = run(commands);
        expect(events.reduce(evolveAccount, initialAccountState())).toEqual(state);
      }),
      { numRuns: 300 },
    );
  });

  it("every command yields exactly one event and the counters count them", () => {
    fc.assert(
      fc.property(commandSequence, (commands) => {
        const { state, events } = run(commands);
        expect(events).toHaveLength(commands.length + 1);
        if (state.status === "Unopened") throw new Error("the account must be open");
        const count = (predicate: (event: AccountEvent) => boolean) => events.filter(predicate).length;
        expect(state.deposits).toBe(count((event) => event.type === "MoneyDeposited"));
        expect(state.withdrawals).toBe(count((event) => event.type === "MoneyWithdrawn"));
        expect(state.rejections).toBe(count((event) => REJECTION_EVENT_TYPES.has(event.type)));
      }),
      { numRuns: 300 },
    );
  });
});
