import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { registerUser, type SessionUser } from "@/lib/auth/users";
import { freezeAccount, unfreezeAccount } from "@/lib/commands/accounts";
import { decideApprovalRequest, releaseOrRequestApproval, unfreezeOrRequestApproval } from "@/lib/commands/approvals";
import { addSanctionsEntry, releaseHeldTransfer, requestTransfer } from "@/lib/commands/transfers";
import { rowsOf, type Database } from "@/lib/db/client";
import { driveTransfer } from "@/lib/process-managers/transfer-runner";
import { rebuildProjections, verifyProjections } from "@/lib/projections/rebuild";

import { customerWithAccount } from "../support/bank";
import { context, meta } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";
import { accountBalance, countEvents } from "../support/queries";

const THRESHOLD = 100_000n;

async function eventsOfType(db: Database, type: string, streamId?: string): Promise<number> {
  const rows = rowsOf<{ n: string }>(
    await db.execute(
      streamId
        ? sql`select count(*)::text as n from events where event_type = ${type} and stream_id = ${streamId}`
        : sql`select count(*)::text as n from events where event_type = ${type}`,
    ),
  );
  return Number(rows[0]?.n);
}

// Four eyes (issue 14, finding 8): large releases of held transfers and lifting fraud freezes need a second admin.
describe.each(backends)("four-eyes approvals on $name", (backend) => {
  let t: TestDatabase;
  let avery: SessionUser;
  let blake: SessionUser;
  let casey: SessionUser;
  const asAdmin = (user: SessionUser, commandId?: string) => meta({ actor: { id: user.id, role: "admin" }, ...(commandId ? { commandId } : {}) });
  const ctx = (db = t.db) => context(db, { approvalThreshold: THRESHOLD });

  beforeAll(async () => {
    t = await backend.create();
    const admin = (name: string) =>
      registerUser(t.db, { name, email: `${name.toLowerCase()}-${randomUUID()}@example.com`, password: "steady audit trail" }, { role: "admin" });
    avery = await admin("Avery");
    blake = await admin("Blake");
    casey = await admin("Casey");
    await addSanctionsEntry(ctx(), { name: "Globex Illicit Trading", reason: "test list" }, asAdmin(blake));
  });
  afterAll(() => t.drop());

  async function heldTransfer(amount: number) {
    const payer = await customerWithAccount(t.db, { name: "Pat Payer", balance: 10_000_000 });
    const payee = await customerWithAccount(t.db, { name: "Quinn Payee" });
    const { transferId } = await requestTransfer(
      ctx(),
      { fromAccountId: payer.accountId, toAccountId: payee.accountId, amount, reference: "Globex Illicit Trading invoice" },
      meta(payer.actor),
    );
    expect((await driveTransfer({ ctx: ctx(), runnerId: "test" }, transferId))?.status).toBe("Held");
    return { transferId, payer, payee };
  }
  const transferStatus = async (transferId: string) =>
    rowsOf<{ status: string }>(await t.db.execute(sql`select status from transfers_view where transfer_id = ${transferId}`))[0]?.status;
  const approvalRow = async (approvalId: string) =>
    rowsOf<{ status: string; round: number; refusals: number; requested_by: string; decided_by: string | null }>(
      await t.db.execute(sql`select status, round, refusals, requested_by, decided_by from approvals_view where approval_id = ${approvalId}`),
    )[0];

  it("releases at or below the threshold at once, as before", async () => {
    const { transferId } = await heldTransfer(Number(THRESHOLD));
    const outcome = await releaseOrRequestApproval(ctx(), { transferId, reason: "Invoice checked" }, asAdmin(avery));
    expect(outcome.kind).toBe("done");
    expect(await transferStatus(transferId)).toBe("screened");
  });

  it("attack: the direct release command refuses a large held transfer without an approval, recording nothing", async () => {
    const { transferId } = await heldTransfer(150_000);
    const before = await countEvents(t.db);
    await expect(releaseHeldTransfer(ctx(), { transferId, reason: "Just do it" }, asAdmin(avery))).rejects.toMatchObject({
      code: "APPROVAL_REQUIRED",
    });
    expect(await countEvents(t.db)).toBe(before);
    expect(await transferStatus(transferId)).toBe("held");
  });

  it("a large release waits for a second admin; the requester cannot approve it (recorded); another admin's approval releases it once", async () => {
    const { transferId, payee } = await heldTransfer(150_000);
    const commandId = randomUUID();
    const outcome = await releaseOrRequestApproval(ctx(), { transferId, reason: "Invoice checked" }, asAdmin(avery, commandId));
    if (outcome.kind !== "approval-requested") throw new Error("expected an approval request");
    // A double submit of the same form is the same request.
    const again = await releaseOrRequestApproval(ctx(), { transferId, reason: "Invoice checked" }, asAdmin(avery, commandId));
    expect(again).toMatchObject({ kind: "approval-requested", approvalId: outcome.approvalId, replayed: true });
    // A second admin pressing Release on the held transfer meets the pending request.
    await expect(releaseOrRequestApproval(ctx(), { transferId, reason: "Me too" }, asAdmin(blake))).rejects.toMatchObject({
      code: "APPROVAL_PENDING",
    });
    expect(await transferStatus(transferId)).toBe("held");
    expect(await approvalRow(outcome.approvalId)).toMatchObject({ status: "pending", round: 1, requested_by: avery.id });

    // Attack: the requester approves their own request.
    const own = await decideApprovalRequest(
      ctx(),
      { approvalId: outcome.approvalId, round: 1, decision: "approve", reason: "Looks fine" },
      asAdmin(avery),
    );
    expect(own).toMatchObject({ status: "refused", code: "SAME_ADMIN" });
    expect(await transferStatus(transferId)).toBe("held");
    expect(await approvalRow(outcome.approvalId)).toMatchObject({ status: "pending", refusals: 1 });
    const audit = rowsOf<{ outcome: string; actor_id: string }>(
      await t.db.execute(
        sql`select outcome, actor_id from audit_log where event_type = 'ApprovalRefused' and stream_id = ${`approval-${outcome.approvalId}`}`,
      ),
    );
    expect(audit).toEqual([{ outcome: "rejected", actor_id: avery.id }]);

    const granted = await decideApprovalRequest(
      ctx(),
      { approvalId: outcome.approvalId, round: 1, decision: "approve", reason: "Second look: fine" },
      asAdmin(blake, randomUUID()),
    );
    expect(granted).toMatchObject({ status: "granted", replayed: false });
    expect(await eventsOfType(t.db, "TransferReleased", `transfer-${transferId}`)).toBe(1);
    expect(await approvalRow(outcome.approvalId)).toMatchObject({ status: "granted", decided_by: blake.id });
    const released = rowsOf<{ actor_id: string }>(
      await t.db.execute(sql`select actor_id from audit_log where event_type = 'TransferReleased' and stream_id = ${`transfer-${transferId}`}`),
    );
    expect(released).toEqual([{ actor_id: blake.id }]);
    expect((await driveTransfer({ ctx: ctx(), runnerId: "test" }, transferId))?.status).toBe("Completed");
    expect(await accountBalance(t.db, payee.accountId)).toBe(150_000n);
    // Approving again is refused: it was decided.
    await expect(
      decideApprovalRequest(ctx(), { approvalId: outcome.approvalId, round: 1, decision: "approve", reason: "again" }, asAdmin(casey)),
    ).rejects.toMatchObject({ code: "APPROVAL_NOT_PENDING" });
    expect(await eventsOfType(t.db, "TransferReleased", `transfer-${transferId}`)).toBe(1);
  });

  it("two admins approving at the same moment release the transfer exactly once", async () => {
    const { transferId } = await heldTransfer(200_000);
    const outcome = await releaseOrRequestApproval(ctx(), { transferId, reason: "Checked" }, asAdmin(avery));
    if (outcome.kind !== "approval-requested") throw new Error("expected an approval request");
    // On Postgres each approver has its own pool (two app instances); PGlite is one connection.
    const another = backend.name === "postgres" ? await t.openAnother(2) : undefined;
    const other = another?.db ?? t.db;
    const results = await Promise.allSettled([
      decideApprovalRequest(ctx(), { approvalId: outcome.approvalId, round: 1, decision: "approve", reason: "Blake agrees" }, asAdmin(blake)),
      decideApprovalRequest(ctx(other), { approvalId: outcome.approvalId, round: 1, decision: "approve", reason: "Casey agrees" }, asAdmin(casey)),
    ]);
    const fulfilled = results.filter((result) => result.status === "fulfilled");
    const rejected = results.filter((result) => result.status === "rejected");
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect((rejected[0] as PromiseRejectedResult).reason).toMatchObject({ code: "APPROVAL_NOT_PENDING" });
    expect(await eventsOfType(t.db, "TransferReleased", `transfer-${transferId}`)).toBe(1);
    expect(await eventsOfType(t.db, "ApprovalGranted", `approval-${outcome.approvalId}`)).toBe(1);
    await another?.close();
  });

  it("a decline leaves the transfer held; a new request opens round 2", async () => {
    const { transferId } = await heldTransfer(300_000);
    const outcome = await releaseOrRequestApproval(ctx(), { transferId, reason: "Checked" }, asAdmin(avery));
    if (outcome.kind !== "approval-requested") throw new Error("expected an approval request");
    expect(
      await decideApprovalRequest(ctx(), { approvalId: outcome.approvalId, round: 1, decision: "decline", reason: "Not convinced" }, asAdmin(blake)),
    ).toMatchObject({
      status: "declined",
    });
    expect(await transferStatus(transferId)).toBe("held");
    expect(await eventsOfType(t.db, "TransferReleased", `transfer-${transferId}`)).toBe(0);
    expect(await approvalRow(outcome.approvalId)).toMatchObject({ status: "declined", decided_by: blake.id });
    await releaseOrRequestApproval(ctx(), { transferId, reason: "New evidence" }, asAdmin(blake));
    expect(await approvalRow(outcome.approvalId)).toMatchObject({ status: "pending", round: 2, requested_by: blake.id });
    // A stale form for round 1 cannot decide round 2.
    await expect(
      decideApprovalRequest(ctx(), { approvalId: outcome.approvalId, round: 1, decision: "approve", reason: "old form" }, asAdmin(avery)),
    ).rejects.toMatchObject({ code: "APPROVAL_NOT_PENDING" });
  });

  it("attack: an admin who is the payee cannot approve (recorded as refused), and bad input changes nothing", async () => {
    const { transferId, payee } = await heldTransfer(400_000);
    const outcome = await releaseOrRequestApproval(ctx(), { transferId, reason: "Checked" }, asAdmin(avery));
    if (outcome.kind !== "approval-requested") throw new Error("expected an approval request");
    const payeeAsAdmin = meta({ actor: { id: payee.user.id, role: "admin" } });
    expect(
      await decideApprovalRequest(ctx(), { approvalId: outcome.approvalId, round: 1, decision: "approve", reason: "Mine" }, payeeAsAdmin),
    ).toMatchObject({
      status: "refused",
      code: "OWN_ITEM",
    });
    const before = await countEvents(t.db);
    await expect(
      decideApprovalRequest(ctx(), { approvalId: outcome.approvalId, round: 1, decision: "approve", reason: "" }, asAdmin(blake)),
    ).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    await expect(
      decideApprovalRequest(ctx(), { approvalId: outcome.approvalId, round: 1, decision: "approve", reason: "x".repeat(501) }, asAdmin(blake)),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(
      decideApprovalRequest(ctx(), { approvalId: "not-a-uuid", round: 1, decision: "maybe", reason: "x" }, asAdmin(blake)),
    ).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    await expect(
      decideApprovalRequest(ctx(), { approvalId: randomUUID(), round: 1, decision: "approve", reason: "x" }, asAdmin(blake)),
    ).rejects.toMatchObject({
      code: "APPROVAL_NOT_FOUND",
    });
    expect(await countEvents(t.db)).toBe(before);
    expect(await transferStatus(transferId)).toBe("held");
  });

  it("lifting a fraud freeze needs a second admin; other freezes lift at once", async () => {
    const { accountId } = await customerWithAccount(t.db, { name: "Rae Frozen" });
    await freezeAccount(ctx(), { accountId, category: "compliance_review", reason: "KYC" }, asAdmin(avery));
    expect((await unfreezeOrRequestApproval(ctx(), { accountId, reason: "KYC done" }, asAdmin(avery))).kind).toBe("done");

    await freezeAccount(ctx(), { accountId, category: "suspected_fraud", reason: "Odd logins" }, asAdmin(avery));
    await expect(unfreezeAccount(ctx(), { accountId, reason: "Direct" }, asAdmin(avery))).rejects.toMatchObject({ code: "APPROVAL_REQUIRED" });
    const outcome = await unfreezeOrRequestApproval(ctx(), { accountId, reason: "Customer confirmed the logins" }, asAdmin(avery));
    if (outcome.kind !== "approval-requested") throw new Error("expected an approval request");
    const status = async () =>
      rowsOf<{ status: string }>(await t.db.execute(sql`select status from account_summary where account_id = ${accountId}`))[0]?.status;
    expect(await status()).toBe("Frozen");
    expect(
      await decideApprovalRequest(ctx(), { approvalId: outcome.approvalId, round: 1, decision: "approve", reason: "ok" }, asAdmin(avery)),
    ).toMatchObject({
      status: "refused",
    });
    expect(await status()).toBe("Frozen");
    expect(
      await decideApprovalRequest(ctx(), { approvalId: outcome.approvalId, round: 1, decision: "approve", reason: "Agreed" }, asAdmin(casey)),
    ).toMatchObject({
      status: "granted",
    });
    expect(await status()).toBe("Active");
  });

  it("approvals_view and the audit trail come back the same from the events (verify and rebuild)", async () => {
    expect((await verifyProjections(t.db)).differences).toEqual([]);
    await rebuildProjections(t.db);
    expect((await verifyProjections(t.db)).differences).toEqual([]);
    const counts = rowsOf<{ n: string }>(await t.db.execute(sql`select count(*)::text as n from approvals_view`));
    expect(Number(counts[0]?.n)).toBe(5);
  });
});
