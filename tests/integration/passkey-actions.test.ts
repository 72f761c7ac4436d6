import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { listPasskeys } from "@/lib/auth/passkeys";
import { registerUser, type SessionUser } from "@/lib/auth/users";
import { rowsOf, type DatabaseHandle } from "@/lib/db/client";

import { signedIn as session } from "../support/auth-mock";
import { backends, type TestDatabase } from "../support/databases";
import { SoftwareAuthenticator } from "../support/software-authenticator";

// The actions read the session through Auth.js and the relying party from the request's host;
// here the test decides both.
vi.mock("@/lib/auth/config", async () => (await import("../support/auth-mock")).authConfigMock);
vi.mock("next/cache", () => ({ revalidatePath: vi.fn() }));
// The confirm actions reach lib/dal/auth.ts, which names Auth.js's error class (it needs Next's server runtime).
vi.mock("next-auth", () => ({ AuthError: class AuthError extends Error {} }));
vi.mock("next/headers", () => ({ headers: async () => new Headers({ host: "bank.test", "x-ledgerline-peer": "203.0.113.20" }) }));

// redirect() throws to end the action; here it records where it would have gone.
const redirected = vi.hoisted(() => ({ to: [] as string[] }));
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    redirected.to.push(to);
    throw new Error("NEXT_REDIRECT");
  },
}));

const {
  beginPasskeyRegistrationAction,
  changePasswordAction,
  enrolTotpAction,
  finishPasskeyRegistrationAction,
  removePasskeyAction,
  removeTotpAction,
  renamePasskeyAction,
} = await import("@/app/(bank)/settings/security/actions");
const { beginPasskeyConfirmationAction, confirmWithPasskeyAction } = await import("@/app/(bank)/settings/confirm/actions");
const { changeEmailAction } = await import("@/app/(auth)/link-actions");
const ORIGIN = "http://bank.test";

function form(fields: Record<string, string>): FormData {
  const data = new FormData();
  for (const [key, value] of Object.entries(fields)) data.set(key, value);
  return data;
}
const idle = { status: "idle" as const };

describe.each(backends)("security settings actions called directly on $name", (backend) => {
  let t: TestDatabase;
  let owner: SessionUser;
  let stranger: SessionUser;

  beforeAll(async () => {
    t = await backend.create();
    const global = globalThis as { __ledgerlineDb?: { handle?: Promise<DatabaseHandle> } };
    (global.__ledgerlineDb ??= {}).handle = Promise.resolve(t.handle);
    owner = await registerUser(t.db, { name: "Olive Owner", email: `owner-${randomUUID()}@example.com`, password: "olive tree branch" });
    stranger = await registerUser(t.db, { name: "Sam Stranger", email: `sam-${randomUUID()}@example.com`, password: "quiet river stone" });
  });
  afterAll(() => t.drop());
  beforeEach(() => {
    session.user = null;
  });

  const enrolAs = async (user: SessionUser, name: string, key = new SoftwareAuthenticator()) => {
    session.user = user;
    const begun = await beginPasskeyRegistrationAction();
    if (!begun.ok) throw new Error(begun.message);
    return finishPasskeyRegistrationAction(form({ attempt: begun.attempt, response: key.register(begun.options, { origin: ORIGIN }), name }));
  };
  /** Moves the user's last proof of identity ten minutes back: past the re-authentication window. */
  const staleProof = (user: SessionUser) =>
    t.db.execute(sql`update user_sessions set authenticated_at = now() - interval '10 minutes' where user_id = ${user.id}`);
  const freshProof = (user: SessionUser) => t.db.execute(sql`update user_sessions set authenticated_at = now() where user_id = ${user.id}`);

  it("adds a passkey only when signed in and recently authenticated, with the request's host as relying party", async () => {
    expect(await beginPasskeyRegistrationAction()).toEqual({ ok: false, message: expect.stringMatching(/session has ended/) });
    expect(await enrolAs(owner, "Laptop")).toMatchObject({ status: "done", message: 'Passkey "Laptop" added. You can sign in with it.' });
    expect((await listPasskeys(t.db, owner.id)).map((p) => p.name)).toEqual(["Laptop"]);

    // Attack: a session whose proof of identity is old (a borrowed, unlocked laptop) cannot add one.
    const begun = await beginPasskeyRegistrationAction();
    if (!begun.ok) throw new Error(begun.message);
    expect(begun.options.rp.id).toBe("bank.test");
    await staleProof(owner);
    expect(await beginPasskeyRegistrationAction()).toEqual({ ok: false, message: expect.stringMatching(/confirm it is you/) });
    const late = await finishPasskeyRegistrationAction(
      form({ attempt: begun.attempt, response: new SoftwareAuthenticator().register(begun.options, { origin: ORIGIN }), name: "Phone" }),
    );
    expect(late).toMatchObject({ status: "error", message: expect.stringMatching(/confirm it is you/) });
    expect(await listPasskeys(t.db, owner.id)).toHaveLength(1);
  });

  it("renames in any session, removes only in a recent one, and never another user's passkey", async () => {
    await enrolAs(stranger, "Stranger's key");
    const [theirs] = await listPasskeys(t.db, stranger.id);
    session.user = owner;
    await freshProof(owner);
    expect(await renamePasskeyAction(idle, form({ passkeyId: theirs!.id, name: "Mine" }))).toMatchObject({ status: "error" });
    expect(await removePasskeyAction(idle, form({ passkeyId: theirs!.id }))).toMatchObject({
      status: "error",
      message: "That passkey was not found.",
    });
    expect((await listPasskeys(t.db, stranger.id)).map((p) => p.name)).toEqual(["Stranger's key"]);

    session.user = stranger;
    await staleProof(stranger);
    expect(await renamePasskeyAction(idle, form({ passkeyId: theirs!.id, name: "Phone" }))).toMatchObject({ status: "done" });
    expect(await renamePasskeyAction(idle, form({ passkeyId: theirs!.id, name: "x".repeat(500) }))).toMatchObject({ status: "invalid" });
    expect(await removePasskeyAction(idle, form({ passkeyId: theirs!.id }))).toMatchObject({
      status: "error",
      message: expect.stringMatching(/confirm it is you/),
    });
    expect((await listPasskeys(t.db, stranger.id)).map((p) => p.name)).toEqual(["Phone"]);
  });

  it("the password and authenticator-app forms: a signed-out submit is told so, a wrong password is said at its field, and a stale proof of identity changes no second factor", async () => {
    const user = await registerUser(t.db, { name: "Pia Pass", email: `pia-${randomUUID()}@example.com`, password: "copper kettle meadow" });
    const change = (currentPassword: string) => changePasswordAction(idle, form({ currentPassword, newPassword: "a brand new passphrase" }));
    expect(await change("copper kettle meadow")).toEqual({ status: "error", message: "Your session has ended. Sign in again to continue." });
    session.user = user;
    expect(await change("not the password at all")).toEqual({
      status: "invalid",
      fieldErrors: { currentPassword: ["That is not your current password."] },
    });
    await staleProof(user);
    expect(await removeTotpAction(idle)).toMatchObject({ status: "error", message: expect.stringMatching(/confirm it is you/) });
    expect(await enrolTotpAction(idle, form({ secret: "JBSWY3DPEHPK3PXP", code: "123456" }))).toMatchObject({
      status: "error",
      message: expect.stringMatching(/confirm it is you/),
    });
    await freshProof(user);
    expect(await enrolTotpAction(idle, form({ secret: "not a secret", code: "123456" }))).toMatchObject({
      status: "invalid",
      fieldErrors: { code: [expect.stringContaining("expired")] },
    });
    expect(rowsOf(await t.db.execute(sql`select totp_secret from users where id = ${user.id}`))).toEqual([{ totp_secret: null }]);
  });

  it("the change-of-address form: a signed-out submit is told so, a taken address is said at its field with what was typed, and a new one is sent a link", async () => {
    const user = await registerUser(t.db, { name: "Mo Mover", email: `mo-${randomUUID()}@example.com`, password: "harbour lights evening" });
    const change = (email: string) => changeEmailAction({ status: "idle" }, form({ email }));
    expect(await change("mo-new@example.com")).toEqual({
      status: "invalid",
      message: "Your session has ended. Sign in again to continue.",
      values: { email: "mo-new@example.com" },
    });
    session.user = user;
    expect(await change(owner.email)).toEqual({
      status: "invalid",
      fieldErrors: { email: ["Another account uses that address."] },
      values: { email: owner.email },
    });
    expect(await change(`mo-new-${randomUUID()}@example.com`)).toMatchObject({ status: "sent" });
  });

  it("confirms identity with a passkey, which opens the window again; another session's or user's confirmation does not", async () => {
    const user = await registerUser(t.db, { name: "Cora Confirm", email: `cora-${randomUUID()}@example.com`, password: "amber field lantern" });
    const key = new SoftwareAuthenticator();
    await enrolAs(user, "Phone", key);
    const intruder = await registerUser(t.db, { name: "Ivo Intruder", email: `ivo-${randomUUID()}@example.com`, password: "grey harbour wall" });
    const intrudersKey = new SoftwareAuthenticator();
    await enrolAs(intruder, "Ivo's key", intrudersKey);

    session.user = user;
    await staleProof(user);
    expect(await beginPasskeyRegistrationAction()).toMatchObject({ ok: false });
    // Attack: another user's passkey answering this user's confirmation.
    const first = await beginPasskeyConfirmationAction();
    if (!first.ok) throw new Error(first.message);
    const wrong = await confirmWithPasskeyAction(
      form({ attempt: first.attempt, response: intrudersKey.assert(first.options, { origin: ORIGIN }), next: "/settings/security" }),
    );
    expect(wrong).toMatchObject({ status: "invalid" });
    // Attack: the intruder cannot spend this user's confirmation challenge in their own session.
    const second = await beginPasskeyConfirmationAction();
    if (!second.ok) throw new Error(second.message);
    session.user = intruder;
    expect(
      await confirmWithPasskeyAction(form({ attempt: second.attempt, response: intrudersKey.assert(second.options, { origin: ORIGIN }), next: "/" })),
    ).toMatchObject({ status: "invalid" });

    session.user = user;
    const third = await beginPasskeyConfirmationAction();
    if (!third.ok) throw new Error(third.message);
    redirected.to = [];
    await expect(
      confirmWithPasskeyAction(form({ attempt: third.attempt, response: key.assert(third.options, { origin: ORIGIN }), next: "/settings/security" })),
    ).rejects.toThrow("NEXT_REDIRECT");
    expect(redirected.to).toEqual(["/settings/security"]);
    expect(await beginPasskeyRegistrationAction()).toMatchObject({ ok: true });
  });
});
