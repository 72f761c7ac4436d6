import { describe, expect, it } from "vitest";

import { approvalDecider } from "@/lib/domain/approval/decider";
import {
  releaseNeedsApproval,
  type ApprovalEvent,
  type ApprovalRequestedData,
  type ApprovalSubject,
  type DecideApproval,
} from "@/lib/domain/approval/events";
import { serverConfigProblems } from "@/lib/env";

import { deciderSpecification, stateAfter } from "./support/decider-spec";

const given = deciderSpecification(approvalDecider);

const subject: ApprovalSubject = {
  approvalId: "appr-1",
  kind: "release_transfer",
  subjectId: "transfer-1",
  accountId: "acc-1",
  ownerIds: ["payer-1", "payee-1"],
  amount: 250_000n,
  currency: "EUR",
  description: "Release the held transfer of €2,500.00 from Payer to Payee",
};
const requestedData: ApprovalRequestedData = { ...subject, round: 1, requestedBy: "avery", reason: "Checked the invoice" };
const requested: ApprovalEvent = { type: "ApprovalRequested", data: requestedData };
const decide = (decision: "approve" | "decline", adminId: string, round = 1): DecideApproval => ({
  type: "DecideApproval",
  data: { decision, round, adminId, reason: "Second look" },
});

describe("approval decider (four eyes)", () => {
  it("given nothing, when an admin asks, then the approval is requested as round 1 and pending", () => {
    given([])
      .when({ type: "RequestApproval", data: { ...subject, requestedBy: "avery", reason: "Checked the invoice" } })
      .then([requested]);
    expect(stateAfter(approvalDecider, [requested]).status).toBe("Pending");
  });

  it("given a pending request, when an admin asks again, then it is refused: one pending request per subject", () => {
    given([requested])
      .when({ type: "RequestApproval", data: { ...subject, requestedBy: "blake", reason: "Me too" } })
      .thenThrows("APPROVAL_PENDING");
  });

  it("given a pending request, when another admin approves, then it is granted", () => {
    given([requested])
      .when(decide("approve", "blake"))
      .then([{ type: "ApprovalGranted", data: { round: 1, reason: "Second look" } }]);
    expect(stateAfter(approvalDecider, [requested, { type: "ApprovalGranted", data: { round: 1, reason: "x" } }]).status).toBe("Granted");
  });

  it("given a pending request, when another admin declines, then it is declined", () => {
    given([requested])
      .when(decide("decline", "blake"))
      .then([{ type: "ApprovalDeclined", data: { round: 1, reason: "Second look" } }]);
  });

  it("given a pending request, when the requester approves or declines it, then the attempt is recorded as refused", () => {
    given([requested])
      .when(decide("approve", "avery"))
      .then([{ type: "ApprovalRefused", data: { round: 1, decision: "approve", code: "SAME_ADMIN", reason: "Second look" } }]);
    given([requested])
      .when(decide("decline", "avery"))
      .then([{ type: "ApprovalRefused", data: { round: 1, decision: "decline", code: "SAME_ADMIN", reason: "Second look" } }]);
    const refused: ApprovalEvent = { type: "ApprovalRefused", data: { round: 1, decision: "approve", code: "SAME_ADMIN", reason: "x" } };
    expect(stateAfter(approvalDecider, [requested, refused]).status).toBe("Pending");
  });

  it("given a pending request, when an admin who owns a side of the transfer approves, then it is refused (OWN_ITEM)", () => {
    given([requested])
      .when(decide("approve", "payee-1"))
      .then([{ type: "ApprovalRefused", data: { round: 1, decision: "approve", code: "OWN_ITEM", reason: "Second look" } }]);
  });

  it("given a decided request, when anyone decides again, then it is refused: a grant happens once", () => {
    const granted: ApprovalEvent = { type: "ApprovalGranted", data: { round: 1, reason: "ok" } };
    given([requested, granted]).when(decide("approve", "casey")).thenThrows("APPROVAL_NOT_PENDING");
    given([requested, granted]).when(decide("decline", "casey")).thenThrows("APPROVAL_NOT_PENDING");
  });

  it("given nothing, when an admin approves, then there is no such approval", () => {
    given([]).when(decide("approve", "blake")).thenThrows("APPROVAL_NOT_FOUND");
  });

  it("given a declined round, when it is asked for again, then round 2 opens, and a form for round 1 cannot approve it", () => {
    const declined: ApprovalEvent = { type: "ApprovalDeclined", data: { round: 1, reason: "no" } };
    given([requested, declined])
      .when({ type: "RequestApproval", data: { ...subject, requestedBy: "blake", reason: "New evidence" } })
      .then([{ type: "ApprovalRequested", data: { ...subject, round: 2, requestedBy: "blake", reason: "New evidence" } }]);
    const again: ApprovalEvent = { type: "ApprovalRequested", data: { ...requestedData, round: 2, requestedBy: "blake" } };
    given([requested, declined, again])
      .when(decide("approve", "casey", 1))
      .thenThrows("APPROVAL_NOT_PENDING");
    given([requested, declined, again])
      .when(decide("approve", "avery", 2))
      .then([{ type: "ApprovalGranted", data: { round: 2, reason: "Second look" } }]);
  });

  it("needs approval only above the threshold", () => {
    expect(releaseNeedsApproval(100_000n, 100_000n)).toBe(false);
    expect(releaseNeedsApproval(100_001n, 100_000n)).toBe(true);
  });

  it("the threshold setting is validated at start: a bad value stops the server with its name", () => {
    expect(serverConfigProblems({ NODE_ENV: "test", APPROVAL_THRESHOLD_MINOR: "250000" })).toEqual([]);
    for (const bad of ["-1", "ten", "1.5"]) {
      expect(serverConfigProblems({ NODE_ENV: "test", APPROVAL_THRESHOLD_MINOR: bad })).toEqual([
        expect.stringMatching(/^APPROVAL_THRESHOLD_MINOR: /),
      ]);
    }
  });
});
