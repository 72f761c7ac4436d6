import { describe, expect, it } from "vitest";

import { publicEventJson, toPublicEvent } from "@/lib/event-store/public-event";
import type { RawEvent } from "@/lib/event-store/types";

const raw = (type: string, data: RawEvent["data"], actorId = "customer-1"): RawEvent => ({
  globalPosition: 9_007_199_254_740_993n,
  transactionId: "812",
  streamId: "account-a1",
  streamType: "account",
  streamPosition: 3n,
  eventId: "7c1f6f5e-9a43-4f43-9f0e-3e0c6a1d2b11",
  type,
  schemaVersion: 1,
  data,
  metadata: {
    actorId,
    actorRole: actorId.startsWith("admin") ? "admin" : "customer",
    commandId: "c",
    correlationId: "corr",
    causationId: null,
    origin: "web",
  },
  recordedAt: new Date("2026-11-30T10:00:00Z"),
});

describe("the public event shape", () => {
  it("carries amounts and positions as exact JSON integers", () => {
    const event = toPublicEvent(raw("MoneyDeposited", { amount: "1250", reference: null }), { role: "customer", userId: "customer-1" });
    const json = publicEventJson(event);
    expect(json).toContain('"amount":1250');
    expect(json).toContain('"globalPosition":9007199254740993');
    expect(JSON.parse(json)).toMatchObject({
      type: "MoneyDeposited",
      streamPosition: 3,
      actor: { role: "customer", id: "customer-1" },
      correlationId: "corr",
    });
  });

  it("hides what only the bank may know from customers, and who acted when it was not them", () => {
    const frozen = raw("AccountFrozen", { category: "fraud", reason: "Card skimming report #4411" }, "admin-7");
    const forCustomer = toPublicEvent(frozen, { role: "customer", userId: "customer-1" });
    expect(forCustomer.data).toEqual({ category: "fraud" });
    expect(forCustomer.actor).toEqual({ role: "admin", id: null });
    expect(forCustomer.correlationId).toBeNull();
    expect(toPublicEvent(frozen, { role: "admin" }).data).toMatchObject({ reason: "Card skimming report #4411" });
  });

  it("decodes a four-eyes approval's amount to an exact integer for the admins' feed", () => {
    const requested = {
      ...raw(
        "ApprovalRequested",
        {
          approvalId: "ap-1",
          kind: "release_transfer",
          subjectId: "t-1",
          accountId: "a1",
          ownerIds: ["customer-1"],
          amount: "250000",
          currency: "EUR",
          description: "Release",
          round: 1,
          requestedBy: "admin-7",
          reason: "Checked",
        },
        "admin-7",
      ),
      streamId: "approval-ap-1",
      streamType: "approval",
    };
    expect(publicEventJson(toPublicEvent(requested, { role: "admin" }))).toContain('"amount":250000');
  });
});
