import { randomUUID } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { registerUser, type SessionUser } from "@/lib/auth/users";
import { depositMoney, freezeAccount, openAccount, unfreezeAccount } from "@/lib/commands/accounts";
import { addSanctionsEntry, rejectHeldTransfer, releaseHeldTransfer, requestTransfer } from "@/lib/commands/transfers";
import { driveTransfer } from "@/lib/process-managers/transfer-runner";

import { customerWithAccount } from "../support/bank";
import { context, meta } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";
import { countEvents } from "../support/queries";

// Segregation of duties (issue 14, finding 8): no admin acts on their own accounts or transfers.
describe.each(backends)("segregation of duties on $name", (backend) => {
  let t: TestDatabase;
  let avery: SessionUser;
  let blake: SessionUser;
  let ownAccount: string;
  const asAdmin = (user: SessionUser) => meta({ actor: { id: user.id, role: "admin" } });

  beforeAll(async () => {
    t = await backend.create();
    const admin = (name: string) =>
      registerUser(t.db, { name, email: `${name.toLowerCase()}-${randomUUID()}@example.com`, password: "steady audit trail" }, { role: "admin" });
    avery = await admin("Avery");
    blake = await admin("Blake");
    // An admin is a customer too: Avery has an account of her own.
    ownAccount = (await openAccount(context(t.db), { customerId: avery.id, currency: "EUR" }, meta({ actor: { id: avery.id, role: "customer" } })))
      .accountId;
    await depositMoney(context(t.db), { accountId: ownAccount, amount: 50_000 }, meta({ actor: { id: avery.id, role: "customer" } }));
    await addSanctionsEntry(context(t.db), { name: "Globex Illicit Trading", reason: "test list" }, asAdmin(blake));
  });
  afterAll(() => t.drop());

  it("attack: an admin cannot unfreeze (or freeze) their own account; another admin can; nothing is recorded for the refusal", async () => {
    // Not a fraud freeze: lifting one of those needs a second admin too (tests/integration/approvals.test.ts).
    await freezeAccount(context(t.db), { accountId: ownAccount, category: "compliance_review", reason: "Odd logins" }, asAdmin(blake));
    const before = await countEvents(t.db);
    await expect(unfreezeAccount(context(t.db), { accountId: ownAccount, reason: "It was me" }, asAdmin(avery))).rejects.toMatchObject({
      code: "OWN_ITEM",
    });
    await expect(freezeAccount(context(t.db), { accountId: ownAccount, category: "other", reason: "x" }, asAdmin(avery))).rejects.toMatchObject({
      code: "OWN_ITEM",
    });
    expect(await countEvents(t.db)).toBe(before);
    expect((await unfreezeAccount(context(t.db), { accountId: ownAccount, reason: "Checked with the customer" }, asAdmin(blake))).outcome).toBe(
      "accepted",
    );
  });

  it("attack: an admin cannot release or reject their own held transfer, nor one paid to them; another admin can", async () => {
    const payee = await customerWithAccount(t.db, { name: "Pat Payee" });
    const hold = async (from: string, to: string, actor: string) => {
      const { transferId } = await requestTransfer(
        context(t.db),
        { fromAccountId: from, toAccountId: to, amount: 1_000, reference: "Globex Illicit Trading invoice" },
        meta({ actor: { id: actor, role: "customer" } }),
      );
      expect((await driveTransfer({ ctx: context(t.db), runnerId: "test" }, transferId))?.status).toBe("Held");
      return transferId;
    };
    const outgoing = await hold(ownAccount, payee.accountId, avery.id);
    const before = await countEvents(t.db);
    await expect(releaseHeldTransfer(context(t.db), { transferId: outgoing, reason: "Fine" }, asAdmin(avery))).rejects.toMatchObject({
      code: "OWN_ITEM",
    });
    await expect(rejectHeldTransfer(context(t.db), { transferId: outgoing, reason: "No" }, asAdmin(avery))).rejects.toMatchObject({
      code: "OWN_ITEM",
    });
    expect(await countEvents(t.db)).toBe(before);
    await releaseHeldTransfer(context(t.db), { transferId: outgoing, reason: "Reviewed" }, asAdmin(blake));

    const incoming = await hold(payee.accountId, ownAccount, payee.user.id);
    await expect(releaseHeldTransfer(context(t.db), { transferId: incoming, reason: "Fine" }, asAdmin(avery))).rejects.toMatchObject({
      code: "OWN_ITEM",
    });
  });
});
