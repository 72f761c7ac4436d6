import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSession } from "@/lib/auth/sessions";
import { depositMoney, freezeAccount } from "@/lib/commands/accounts";
import { markAllNotificationsRead, markNotificationRead, setNotificationPreferences } from "@/lib/commands/notifications";
import { updateProfile } from "@/lib/commands/profile";
import { requestTransfer } from "@/lib/commands/transfers";
import { rowsOf, type Database } from "@/lib/db/client";
import { formatMarkedMoney } from "@/lib/domain/shared/money";
import { deliverDueMail, smtpTransport, type MailWorkerOptions } from "@/lib/process-managers/mail/deliver";
import { driveTransfer } from "@/lib/process-managers/transfer-runner";
import { listNotifications, unreadCount } from "@/lib/read-models/notifications";

import { customerWithAccount } from "../support/bank";
import { admin, context, meta } from "../support/commands";
import { backends, type TestDatabase } from "../support/databases";
import { recipientsOf, startTestSmtp, type TestSmtp } from "../support/smtp";

describe.each(backends)("notifications and the mail outbox on $name", (backend) => {
  let t: TestDatabase;
  let smtp: TestSmtp;
  beforeAll(async () => {
    t = await backend.create();
    smtp = await startTestSmtp();
  });
  afterAll(async () => {
    await smtp.close();
    await t.drop();
  });

  const worker = (overrides: Partial<MailWorkerOptions> = {}): MailWorkerOptions => ({
    workerId: "test-mail",
    transport: smtpTransport(smtp.url),
    from: "Ledgerline <no-reply@ledgerline.test>",
    fallbackOrigin: "https://bank.example.test",
    ...overrides,
  });
  const verified = async (db: Database, userId: string) => db.execute(sql`update users set email_verified_at = now() where id = ${userId}`);
  async function outbox(userId: string) {
    return rowsOf<{
      mail_id: string;
      status: string;
      attempts: number;
      next_attempt_at: unknown;
      text_body: string | null;
      html_body: string | null;
      subject: string | null;
    }>(
      await t.db.execute(
        sql`select mail_id, status, attempts, next_attempt_at, text_body, html_body, subject from mail_outbox where user_id = ${userId} order by created_at`,
      ),
    );
  }
  async function everyoneOpted(db: Database, userId: string, kinds: string[]) {
    await setNotificationPreferences(db, { id: userId }, Object.fromEntries(kinds.map((kind) => [kind, "email"])));
  }

  it("a transfer between two customers leaves one email per opted-in recipient, and both inboxes say what happened", async () => {
    const alice = await customerWithAccount(t.db, { name: "Alice Payer", balance: 10_000 });
    const bob = await customerWithAccount(t.db, { name: "Bob Payee" });
    const carol = await customerWithAccount(t.db, { name: "Carol Bystander", balance: 500 });
    await Promise.all([alice, bob, carol].map((c) => verified(t.db, c.user.id)));
    await everyoneOpted(t.db, alice.user.id, ["transfer-completed"]);
    await everyoneOpted(t.db, bob.user.id, ["money-received"]);
    // Carol asked for nothing by email: what happens to her stays in her inbox.
    await depositMoney(context(t.db), { accountId: carol.accountId, amount: 100 }, meta(carol.actor));

    const { transferId } = await requestTransfer(
      context(t.db),
      { fromAccountId: alice.accountId, toAccountId: bob.accountId, amount: 2_500, reference: "Dinner" },
      meta(alice.actor),
    );
    expect((await driveTransfer({ ctx: context(t.db), runnerId: "test-runner" }, transferId))?.status).toBe("Completed");

    const before = smtp.received.length;
    const report = await deliverDueMail(t.db, worker());
    expect(report).toMatchObject({ sent: 2, failed: 0 });
    // A second round finds nothing left to send.
    expect(await deliverDueMail(t.db, worker())).toMatchObject({ attempted: 0, sent: 0 });
    const mails = smtp.received.slice(before);
    expect(mails.map((mail) => recipientsOf(mail)[0]).sort()).toEqual([alice.user.email, bob.user.email].sort());
    const toBob = mails.find((mail) => recipientsOf(mail)[0] === bob.user.email)!;
    expect(toBob.subject).toBe("Money received");
    expect(toBob.text).toContain("€25.00");
    expect(toBob.text).toContain("Alice Payer");
    expect(toBob.html).toContain(`https://bank.example.test/accounts/${bob.accountId}`);
    expect(toBob.html).not.toMatch(/<img|src=/i);
    expect(mails.find((mail) => recipientsOf(mail)[0] === alice.user.email)!.subject).toBe("Transfer completed");

    const bobInbox = await listNotifications(t.db, bob.user.id);
    expect(bobInbox.map((n) => n.kind)).toEqual(["money-received"]);
    expect(bobInbox[0]!.body).toContain("Dinner");
    const aliceInbox = await listNotifications(t.db, alice.user.id);
    // Her own deposit at the start, then the completed transfer.
    expect(aliceInbox.map((n) => n.kind)).toEqual(["transfer-completed", "money-received"]);
    expect(await unreadCount(t.db, carol.user.id)).toBe(2);
    expect(await outbox(carol.user.id)).toEqual([]);
  });

  it("shows amounts in the reader's language: the mail and the inbox format them when read, not when the fact happened", async () => {
    const payer = await customerWithAccount(t.db, { name: "Pia Payer", balance: 200_000 });
    const reader = await customerWithAccount(t.db, { name: "Rolf Reader" });
    await verified(t.db, reader.user.id);
    await everyoneOpted(t.db, reader.user.id, ["money-received"]);
    await updateProfile(t.db, reader.user, { name: "Rolf Reader", locale: "de-DE", timeZone: "Europe/Berlin" }, meta(reader.actor));
    const { transferId } = await requestTransfer(
      context(t.db),
      { fromAccountId: payer.accountId, toAccountId: reader.accountId, amount: 123_456, reference: "Miete" },
      meta(payer.actor),
    );
    await driveTransfer({ ctx: context(t.db), runnerId: "test-runner" }, transferId);
    const before = smtp.received.length;
    await deliverDueMail(t.db, worker());
    const mail = smtp.received.slice(before).find((m) => recipientsOf(m)[0] === reader.user.email)!;
    expect((mail.text ?? "").replace(/\s/gu, " ")).toContain("1.234,56 €");
    const [stored] = await listNotifications(t.db, reader.user.id);
    expect(formatMarkedMoney(stored!.body, "de-DE").replace(/\s/gu, " ")).toContain("1.234,56 €");
    expect(formatMarkedMoney(stored!.body, "en-GB")).toContain("€1,234.56");
  });

  it("marks one or all as read, only the owner's own", async () => {
    const dana = await customerWithAccount(t.db, { balance: 100 });
    const eve = await customerWithAccount(t.db, { balance: 100 });
    await depositMoney(context(t.db), { accountId: dana.accountId, amount: 200 }, meta(dana.actor));
    const [newest, older] = await listNotifications(t.db, dana.user.id);
    expect(await unreadCount(t.db, dana.user.id)).toBe(2);
    // Someone else's id marks nothing.
    expect(await markNotificationRead(t.db, eve.user, { id: newest!.id })).toBe(false);
    expect(await unreadCount(t.db, dana.user.id)).toBe(2);
    expect(await markNotificationRead(t.db, dana.user, { id: newest!.id })).toBe(true);
    expect((await listNotifications(t.db, dana.user.id)).map((n) => n.read)).toEqual([true, false]);
    await expect(markNotificationRead(t.db, dana.user, { id: "x".repeat(5_000) })).rejects.toMatchObject({ name: "ValidationError" });
    expect(await markAllNotificationsRead(t.db, eve.user)).toBe(1);
    expect(await unreadCount(t.db, dana.user.id)).toBe(1);
    expect(await markAllNotificationsRead(t.db, dana.user)).toBe(1);
    expect(await unreadCount(t.db, dana.user.id)).toBe(0);
    expect(older!.kind).toBe("money-received");
  });

  it("tells the owner when an account is frozen, without the bank's reason", async () => {
    const frank = await customerWithAccount(t.db);
    await freezeAccount(
      context(t.db),
      { accountId: frank.accountId, category: "suspected_fraud", reason: "internal case 4711" },
      meta({ actor: admin }),
    );
    const [frozen] = await listNotifications(t.db, frank.user.id);
    expect(frozen).toMatchObject({ kind: "account-frozen", title: "Account frozen" });
    expect(frozen!.body).not.toContain("4711");
  });

  it("tells of a sign-in from a browser the user never signed in from, not of the first sign-in or a known browser", async () => {
    const { user } = await customerWithAccount(t.db);
    const signIns = async (userAgent: string) => startSession(t.db, user, { userAgent, ip: "203.0.113.9", method: "password" });
    const kinds = async () => (await listNotifications(t.db, user.id)).map((n) => n.kind).filter((kind) => kind === "new-device-sign-in");
    await signIns("Firefox on Linux");
    await signIns("Firefox on Linux");
    expect(await kinds()).toEqual([]);
    await signIns("Safari on iPhone");
    expect(await kinds()).toEqual(["new-device-sign-in"]);
    expect((await listNotifications(t.db, user.id))[0]!.body).toContain("Safari on iPhone");
  });

  it("two workers on the outbox send each mail once", { timeout: 60_000 }, async () => {
    const grace = await customerWithAccount(t.db);
    await verified(t.db, grace.user.id);
    await everyoneOpted(t.db, grace.user.id, ["money-received"]);
    for (let i = 0; i < 12; i += 1) await depositMoney(context(t.db), { accountId: grace.accountId, amount: 100 + i }, meta(grace.actor));
    const other = backend.name === "postgres" ? (await t.openAnother(4)).db : t.db;
    const before = smtp.received.length;
    const reports = await Promise.all([
      deliverDueMail(t.db, worker({ workerId: "a", batch: 3 })),
      deliverDueMail(other, worker({ workerId: "b", batch: 3 })),
    ]);
    expect(reports[0]!.sent + reports[1]!.sent).toBe(12);
    const mine = (await smtp.waitFor(before + 12)).slice(before).filter((mail) => recipientsOf(mail)[0] === grace.user.email);
    expect(mine).toHaveLength(12);
    expect(new Set(mine.map((mail) => mail.messageId)).size).toBe(12);
    expect((await outbox(grace.user.id)).every((row) => row.status === "sent")).toBe(true);
  });

  // Another instance needs another connection: PGlite has one per process, so this runs on Postgres only.
  if (backend.name === "postgres")
    it("a mail queued by an instance that dies before delivering is sent once by another", async () => {
      const lena = await customerWithAccount(t.db);
      await verified(t.db, lena.user.id);
      await everyoneOpted(t.db, lena.user.id, ["money-received"]);
      const dying = await t.openAnother(2);
      await depositMoney(context(dying.db), { accountId: lena.accountId, amount: 1_234 }, meta(lena.actor));
      await dying.close();
      const before = smtp.received.length;
      expect(await deliverDueMail(t.db, worker({ workerId: "survivor" }))).toMatchObject({ sent: 1 });
      expect(await deliverDueMail(t.db, worker({ workerId: "survivor" }))).toMatchObject({ attempted: 0 });
      const arrived = smtp.received.slice(before).filter((mail) => recipientsOf(mail)[0] === lena.user.email);
      expect(arrived).toHaveLength(1);
      expect(arrived[0]!.text).toContain("€12.34");
    });

  it("retries a send the mail server refused, with backoff, and sends it once", async () => {
    const henry = await customerWithAccount(t.db);
    await verified(t.db, henry.user.id);
    await everyoneOpted(t.db, henry.user.id, ["money-received"]);
    await depositMoney(context(t.db), { accountId: henry.accountId, amount: 700 }, meta(henry.actor));
    const before = smtp.received.length;
    smtp.failNext(1);
    expect(await deliverDueMail(t.db, worker())).toMatchObject({ attempted: 1, failed: 1, sent: 0 });
    const [waiting] = await outbox(henry.user.id);
    expect(waiting).toMatchObject({ status: "pending", attempts: 1 });
    // Not due again at once...
    expect(await deliverDueMail(t.db, worker())).toMatchObject({ attempted: 0 });
    // ...but after the backoff.
    const later = new Date(Date.now() + 31_000);
    expect(await deliverDueMail(t.db, worker({ now: () => later }))).toMatchObject({ sent: 1 });
    const arrived = smtp.received.slice(before).filter((mail) => recipientsOf(mail)[0] === henry.user.email);
    expect(arrived).toHaveLength(1);
    expect((await outbox(henry.user.id))[0]).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("a worker that died holding a mail loses it when its lease runs out, and the mail still goes once", async () => {
    const ivy = await customerWithAccount(t.db);
    await verified(t.db, ivy.user.id);
    await everyoneOpted(t.db, ivy.user.id, ["money-received"]);
    await depositMoney(context(t.db), { accountId: ivy.accountId, amount: 900 }, meta(ivy.actor));
    // The dead worker: it claimed the mail and never came back.
    await t.db.execute(sql`update mail_outbox set claimed_by = 'dead', claimed_until = now() + interval '2 minutes' where user_id = ${ivy.user.id}`);
    const before = smtp.received.length;
    expect(await deliverDueMail(t.db, worker())).toMatchObject({ attempted: 0 });
    const afterLease = new Date(Date.now() + 3 * 60_000);
    expect(await deliverDueMail(t.db, worker({ now: () => afterLease }))).toMatchObject({ sent: 1 });
    expect(smtp.received.slice(before).filter((mail) => recipientsOf(mail)[0] === ivy.user.email)).toHaveLength(1);
  });

  it("without a mail server keeps the mail, rendered and escaped, for the development mailbox", async () => {
    const jack = await customerWithAccount(t.db);
    await verified(t.db, jack.user.id);
    await everyoneOpted(t.db, jack.user.id, ["money-received"]);
    const jill = await customerWithAccount(t.db, { name: "<script>alert(1)</script>", balance: 1_000 });
    const { transferId } = await requestTransfer(
      context(t.db),
      { fromAccountId: jill.accountId, toAccountId: jack.accountId, amount: 300, reference: "<b>hi</b>" },
      meta(jill.actor),
    );
    await driveTransfer({ ctx: context(t.db), runnerId: "test-runner" }, transferId);
    expect(await deliverDueMail(t.db, worker({ transport: null }))).toMatchObject({ kept: 1, attempted: 0 });
    const [kept] = await outbox(jack.user.id);
    expect(kept!.status).toBe("kept");
    expect(kept!.text_body).toContain("<script>alert(1)</script>");
    expect(kept!.html_body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(kept!.html_body).not.toContain("<script>");
    expect(kept!.html_body).not.toContain("<b>hi</b>");
  });

  it("does not mail an address nobody confirmed", async () => {
    const kim = await customerWithAccount(t.db);
    await t.db.execute(sql`update users set email_verified_at = null where id = ${kim.user.id}`);
    await everyoneOpted(t.db, kim.user.id, ["money-received"]);
    await depositMoney(context(t.db), { accountId: kim.accountId, amount: 100 }, meta(kim.actor));
    expect(await unreadCount(t.db, kim.user.id)).toBe(1);
    expect(await outbox(kim.user.id)).toEqual([]);
  });
});
