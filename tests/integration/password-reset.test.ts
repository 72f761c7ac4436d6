import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { INVALID_LINK, requestEmailChange, requestPasswordReset, resetPassword, verifyEmail } from "@/lib/auth/email-links";
import { isRateLimited } from "@/lib/auth/rate-limits";
import { checkSession, startSession } from "@/lib/auth/sessions";
import { registerUser, verifyCredentials } from "@/lib/auth/users";
import { rowsOf } from "@/lib/db/client";
import { ValidationError } from "@/lib/domain/shared/errors";
import { listNotifications } from "@/lib/read-models/notifications";

import { backends, type TestDatabase } from "../support/databases";

const ORIGIN = "https://bank.example.test";
const PASSWORD = "a test pass phrase";
const NEW_PASSWORD = "violet kettle orbit 77";

describe.each(backends)("password reset and email verification on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  // Each test its own address on the request side, so the per-address limits do not carry over.
  let lastIp = 0;
  const ip = () => `198.51.100.${(lastIp += 1)}`;
  const newUser = (name = "Reset Tester") => registerUser(t.db, { name, email: `r-${randomUUID()}@example.com`, password: PASSWORD });
  async function mails(to: string) {
    return rowsOf<{ template: string; token: string | null; new_email: string | null }>(
      await t.db.execute(
        sql`select template, data->>'token' as token, data->>'newEmail' as new_email from mail_outbox where to_address = ${to} order by created_at`,
      ),
    );
  }
  async function resetTokenFor(email: string) {
    await requestPasswordReset(t.db, { email }, { ip: ip(), origin: ORIGIN });
    const found = (await mails(email)).filter((mail) => mail.template === "password-reset").at(-1);
    return found!.token!;
  }
  const signsIn = async (email: string, password: string) => (await verifyCredentials(t.db, { email, password }, null)).ok;

  it("answers the same whether or not the address has an account, and mails only the account", async () => {
    const user = await newUser();
    const nobody = `nobody-${randomUUID()}@example.com`;
    const known = await requestPasswordReset(t.db, { email: user.email }, { ip: ip(), origin: ORIGIN });
    const unknown = await requestPasswordReset(t.db, { email: nobody }, { ip: ip(), origin: ORIGIN });
    expect(known).toEqual(unknown);
    expect((await mails(user.email)).map((mail) => mail.template)).toEqual(["password-reset"]);
    expect(await mails(nobody)).toEqual([]);
    // The link is stored only as its hash.
    const token = (await mails(user.email))[0]!.token!;
    const stored = rowsOf<{ n: number }>(await t.db.execute(sql`select count(*)::int as n from email_tokens where token_hash = ${token}`));
    expect(stored[0]!.n).toBe(0);
  });

  it("a reset link sets a new password once, ends every session, and the customer is told", async () => {
    const user = await newUser();
    const sessions = await Promise.all([1, 2].map(() => startSession(t.db, user, { userAgent: "Test browser", ip: null, method: "password" })));
    const token = await resetTokenFor(user.email);
    await resetPassword(t.db, { token, password: NEW_PASSWORD });
    for (const id of sessions) expect(await checkSession(t.db, id)).toBeNull();
    expect(await signsIn(user.email, PASSWORD)).toBe(false);
    expect(await signsIn(user.email, NEW_PASSWORD)).toBe(true);
    expect((await listNotifications(t.db, user.id))[0]).toMatchObject({ kind: "security-changed", title: "Password changed" });
    // Reuse: the same link again changes nothing.
    await expect(resetPassword(t.db, { token, password: "another fine passphrase 9" })).rejects.toMatchObject({
      fieldErrors: { token: [INVALID_LINK] },
    });
    expect(await signsIn(user.email, NEW_PASSWORD)).toBe(true);
  });

  it("refuses an expired link, a link of another purpose and a made-up one, with the same message", async () => {
    const user = await newUser();
    const token = await resetTokenFor(user.email);
    const late = new Date(Date.now() + 31 * 60_000);
    await expect(resetPassword(t.db, { token, password: NEW_PASSWORD }, { now: late })).rejects.toMatchObject({
      fieldErrors: { token: [INVALID_LINK] },
    });
    const signUp = await registerUser(
      t.db,
      { name: "Verify Me", email: `v-${randomUUID()}@example.com`, password: PASSWORD },
      { verification: { origin: ORIGIN } },
    );
    const verifyToken = (await mails(signUp.email))[0]!.token!;
    await expect(resetPassword(t.db, { token: verifyToken, password: NEW_PASSWORD })).rejects.toMatchObject({
      fieldErrors: { token: [INVALID_LINK] },
    });
    await expect(resetPassword(t.db, { token: "made-up", password: NEW_PASSWORD })).rejects.toMatchObject({ fieldErrors: { token: [INVALID_LINK] } });
    await expect(resetPassword(t.db, { token: "x".repeat(10_000), password: NEW_PASSWORD })).rejects.toBeInstanceOf(ValidationError);
    expect(await signsIn(user.email, PASSWORD)).toBe(true);
    expect(await signsIn(signUp.email, PASSWORD)).toBe(true);
  });

  it("a link changes only the password of the user it was sent to", async () => {
    const alice = await newUser("Alice");
    const bob = await newUser("Bob");
    const aliceToken = await resetTokenFor(alice.email);
    await resetPassword(t.db, { token: aliceToken, password: NEW_PASSWORD });
    expect(await signsIn(alice.email, NEW_PASSWORD)).toBe(true);
    expect(await signsIn(bob.email, PASSWORD)).toBe(true);
    expect(await signsIn(bob.email, NEW_PASSWORD)).toBe(false);
  });

  it("a weak new password is refused and leaves the link usable", async () => {
    const user = await newUser();
    const token = await resetTokenFor(user.email);
    await expect(resetPassword(t.db, { token, password: "password12" })).rejects.toMatchObject({ fieldErrors: { password: expect.any(Array) } });
    await resetPassword(t.db, { token, password: NEW_PASSWORD });
    expect(await signsIn(user.email, NEW_PASSWORD)).toBe(true);
  });

  it("is rate limited per email, whether or not it has an account, and per address", async () => {
    const user = await newUser();
    const nobody = `nobody-${randomUUID()}@example.com`;
    for (const email of [user.email, nobody]) {
      for (let i = 0; i < 3; i += 1) await requestPasswordReset(t.db, { email }, { ip: ip(), origin: ORIGIN });
      const fourth = await requestPasswordReset(t.db, { email }, { ip: ip(), origin: ORIGIN }).catch((error: unknown) => error);
      expect(isRateLimited(fourth)).toBe(true);
    }
    expect((await mails(user.email)).length).toBe(3);
    const address = ip();
    const answers = [];
    for (let i = 0; i < 11; i += 1)
      answers.push(
        await requestPasswordReset(t.db, { email: `n${i}-${randomUUID()}@example.com` }, { ip: address, origin: ORIGIN }).catch(
          (error: unknown) => error,
        ),
      );
    expect(answers.slice(0, 10).every((answer) => answer === undefined)).toBe(true);
    expect(isRateLimited(answers[10])).toBe(true);
  });

  it("a sign-up starts unconfirmed with a link mailed; following it confirms the address once", async () => {
    const user = await registerUser(
      t.db,
      { name: "New Customer", email: `n-${randomUUID()}@example.com`, password: PASSWORD },
      { verification: { origin: ORIGIN } },
    );
    const verified = async () =>
      rowsOf<{ v: boolean }>(await t.db.execute(sql`select email_verified_at is not null as v from users where id = ${user.id}`))[0]!.v;
    expect(await verified()).toBe(false);
    const [mail] = await mails(user.email);
    expect(mail!.template).toBe("verify-email");
    expect(await verifyEmail(t.db, { token: mail!.token })).toEqual({ userId: user.id, email: user.email });
    expect(await verified()).toBe(true);
    await expect(verifyEmail(t.db, { token: mail!.token })).rejects.toMatchObject({ fieldErrors: { token: [INVALID_LINK] } });
  });

  it("changing the address tells the old one and takes effect only when the new one is confirmed", async () => {
    const user = await newUser();
    const target = `changed-${randomUUID()}@example.com`;
    await requestEmailChange(t.db, user, { email: target }, { ip: ip(), origin: ORIGIN });
    expect((await mails(user.email)).map((mail) => [mail.template, mail.new_email])).toEqual([["email-changed", target]]);
    expect(await signsIn(user.email, PASSWORD)).toBe(true);
    const [link] = await mails(target);
    await verifyEmail(t.db, { token: link!.token });
    expect(await signsIn(target, PASSWORD)).toBe(true);
    expect(await signsIn(user.email, PASSWORD)).toBe(false);
    // Another account's address cannot be taken.
    const other = await newUser();
    await expect(requestEmailChange(t.db, other, { email: target }, { ip: ip(), origin: ORIGIN })).rejects.toMatchObject({
      fieldErrors: { email: expect.any(Array) },
    });
  });
});
