import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { type TransferCommand } from "@/lib/domain/transfer/commands";
import { decideTransfer, evolveTransfer, FAILURE_REASONS, initialTransferState } from "@/lib/domain/transfer/decider";
import { type TransferEvent } from "@/lib/domain/transfer/events";
import { nextStep, type TransferStep } from "@/lib/domain/transfer/process";
import { isTerminal, type TransferState } from "@/lib/domain/transfer/state";

import { recordCapture, recordRelease, recordScreening, rejectTransfer, releaseTransfer, requestTransfer } from "./support/transfer-fixtures";

describe("transfer process properties", () => {
  type Outcomes = {
    matches: string[];
    review: "release" | "reject" | "wait";
    reservation: TransferCommand & { type: "RecordReservation" };
    credit: TransferCommand & { type: "RecordCredit" };
    /** For each step, whether the runner records it a second time (a retry after a crash). */
    retries: boolean[];
  };

  const outcomes: fc.Arbitrary<Outcomes> = fc.record({
    matches: fc.oneof(fc.constant<string[]>([]), fc.array(fc.constantFrom("ACME Shell Co", "J. Doe", "Volkov"), { minLength: 1, maxLength: 2 })),
    review: fc.constantFrom("release", "reject", "wait"),
    reservation: fc.oneof(
      fc.constant({ type: "RecordReservation", data: { outcome: "reserved" } } as const),
      fc
        .record({
          code: fc.constantFrom("INSUFFICIENT_FUNDS", "ACCOUNT_FROZEN", "ACCOUNT_CLOSED", "CURRENCY_MISMATCH"),
          available: fc.bigInt({ min: 0n, max: 10_000n }),
        })
        .map(({ code, available }) => ({ type: "RecordReservation", data: { outcome: "rejected", code, available } }) as const),
    ),
    credit: fc.oneof(
      fc.constant({ type: "RecordCredit", data: { outcome: "credited" } } as const),
      fc
        .constantFrom("ACCOUNT_FROZEN", "ACCOUNT_CLOSED", "CURRENCY_MISMATCH")
        .map((code) => ({ type: "RecordCredit", data: { outcome: "rejected", code } }) as const),
    ),
    retries: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
  });

  /** A runner over the pure pieces: nextStep says what to do, the chosen outcome is recorded. */
  function run(choice: Outcomes): { state: TransferState; events: TransferEvent[]; steps: (TransferStep["type"] | "Review")[] } {
    const events: TransferEvent[] = [];
    let state: TransferState = initialTransferState();
    const apply = (command: TransferCommand): TransferEvent[] => {
      const produced = decideTransfer(command, state);
      for (const event of produced) {
        state = evolveTransfer(state, event);
        events.push(event);
      }
      return produced;
    };
    apply(requestTransfer());
    const steps: (TransferStep["type"] | "Review")[] = [];
    for (let iteration = 0; iteration < 10; iteration++) {
      const step = nextStep(state);
      if (step === null) {
        if (state.status !== "Held" || choice.review === "wait") break;
        // The admin decides; a person, not the runner, moves a held transfer on.
        expect(apply(choice.review === "release" ? releaseTransfer() : rejectTransfer())).toHaveLength(1);
        steps.push("Review");
        continue;
      }
      steps.push(step.type);
      const record: TransferCommand =
        step.type === "Screen"
          ? recordScreening(choice.matches)
          : step.type === "Reserve"
            ? choice.reservation
            : step.type === "Credit"
              ? choice.credit
              : step.type === "Capture"
                ? recordCapture()
                : recordRelease();
      expect(apply(record)).toHaveLength(1);
      if (choice.retries[steps.length - 1]) expect(apply(record)).toEqual([]);
    }
    return { state, events, steps };
  }

  it("a transfer driven by nextStep ends Completed or Failed, or Held when screening matched, within 6 steps", () => {
    fc.assert(
      fc.property(outcomes, (choice) => {
        const { state, steps } = run(choice);
        expect(steps.length).toBeLessThanOrEqual(6);
        expect(nextStep(state)).toBeNull();
        const matched = choice.matches.length > 0;
        if (state.status === "Held") {
          expect(matched && choice.review === "wait").toBe(true);
          return;
        }
        expect(isTerminal(state)).toBe(true);
        const cleared = !matched || choice.review === "release";
        const completes = cleared && choice.reservation.data.outcome === "reserved" && choice.credit.data.outcome === "credited";
        expect(state.status).toBe(completes ? "Completed" : "Failed");
        if (state.status !== "Failed") return;
        if (!cleared) {
          expect(state.failure).toMatchObject({ code: "REJECTED_IN_REVIEW", step: "screening" });
        } else if (choice.reservation.data.outcome === "rejected") {
          expect(state.failure).toEqual({
            code: choice.reservation.data.code,
            reason: FAILURE_REASONS[choice.reservation.data.code],
            step: "reserve",
          });
          expect(steps).not.toContain("Release");
        } else {
          // A refused credit always releases the hold before failing.
          expect(state.failure.step).toBe("credit");
          expect(steps.slice(-2)).toEqual(["Credit", "Release"]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("replaying the produced events from the initial state gives exactly the same state", () => {
    fc.assert(
      fc.property(outcomes, (choice) => {
        const { state, events } = run(choice);
        expect(events.reduce(evolveTransfer, initialTransferState())).toEqual(state);
      }),
      { numRuns: 500 },
    );
  });
});
