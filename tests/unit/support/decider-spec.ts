import { expect } from "vitest";

import type { Decider } from "@/lib/domain/shared/decider";
import { DomainError, type DomainErrorCode } from "@/lib/domain/shared/errors";

/**
 * Emmett-style given/when/then for a pure decider: fold the given events from the initial state,
 * decide the command, and compare the exact events (or the DomainError code) that come out.
 * No mocks, no database.
 */
export type DeciderSpecification<Command, Event> = (given: readonly Event[]) => {
  when: (command: Command) => {
    then: (expected: readonly Event[]) => void;
    thenThrows: (code: DomainErrorCode) => void;
  };
};

export function deciderSpecification<Command, Event, State>(decider: Decider<Command, Event, State>): DeciderSpecification<Command, Event> {
  return (given) => ({
    when: (command) => {
      const decide = () => decider.decide(command, stateAfter(decider, given));
      return {
        then: (expected) => {
          expect(decide()).toEqual(expected);
        },
        thenThrows: (code) => {
          let thrown: unknown;
          try {
            decide();
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(DomainError);
          expect((thrown as DomainError).code).toBe(code);
        },
      };
    },
  });
}

/** The state a decider reaches from its initial state after `events`, in order. */
export function stateAfter<Command, Event, State>(decider: Decider<Command, Event, State>, events: readonly NoInfer<Event>[]): State {
  return events.reduce(decider.evolve, decider.initialState());
}
