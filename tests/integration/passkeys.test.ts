import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  beginPasskeyRegistration,
  beginPasskeySecondFactor,
  beginPasskeySignIn,
  finishPasskeyRegistration,
  listPasskeys,
  PASSKEY_NAME_MAX,
  purgeWebauthnChallenges,
  relyingParty,
  removePasskey,
  renamePasskey,
  type RelyingParty,
} from "@/lib/auth/passkeys";
import { checkSession, startSession } from "@/lib/auth/sessions";
import { CHALLENGE_MAX_ATTEMPTS, completePasskeySignIn, completeSignIn, createSignInChallenge } from "@/lib/auth/sign-in";
import { registerUser, type SessionUser } from "@/lib/auth/users";
import { rowsOf } from "@/lib/db/client";
import { ValidationError } from "@/lib/domain/shared/errors";
import { verifyProjections } from "@/lib/projections/rebuild";

import { backends, type TestDatabase } from "../support/databases";
import { SoftwareAuthenticator } from "../support/software-authenticator";

const rp: RelyingParty = { id: "bank.test", origin: "https://bank.test" };
const EVIL = "https://bank.test.evil.example";
const MINUTE = 60_000;

describe.each(backends)("passkeys on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  const newUser = async (role: "customer" | "admin" = "customer"): Promise<SessionUser> =>
    registerUser(t.db, { name: "Pat Passkey", email: `p-${randomUUID()}@example.com`, password: "a long enough phrase" }, { role });
  const newSession = (user: SessionUser, now = new Date()) =>
    startSession(t.db, user, { userAgent: "Test", ip: "203.0.113.9", method: "password", now });
  const client = { userAgent: "Test", ip: "203.0.113.9", rp };

  /** Enrols a software passkey for the user in a session, as the security page does. */
  const enrol = async (user: SessionUser, name = "Laptop", now = new Date()) => {
    const key = new SoftwareAuthenticator();
    const sessionId = await newSession(user, now);
    const { attempt, options } = await beginPasskeyRegistration(t.db, user, sessionId, rp, now);
    await finishPasskeyRegistration(t.db, user, sessionId, { attempt, response: key.register(options, { origin: rp.origin }), name }, rp, now);
    return key;
  };
  /** Password done: a sign-in challenge, then a passkey prompt bound to it. */
  const secondFactorPrompt = async (user: SessionUser, now = new Date()) => {
    const { challenge, methods } = await createSignInChallenge(t.db, user.id, now);
    const begun = await beginPasskeySecondFactor(t.db, challenge, rp, CHALLENGE_MAX_ATTEMPTS, now);
    return { challenge, methods, begun };
  };
  const audit = async (userId: string) =>
    rowsOf<{ event_type: string; summary: string }>(
      await t.db.execute(sql`select event_type, summary from audit_log where stream_id = ${"user-" + userId} order by global_position`),
    );
  const storedCounter = async (credentialId: string) =>
    Number(rowsOf<{ counter: unknown }>(await t.db.execute(sql`select counter from passkeys where credential_id = ${credentialId}`))[0]!.counter);

  it("enrols a passkey, then signs in with password and passkey, and with the passkey alone", async () => {
    const user = await newUser();
    // Discoverable, attestation none, and only algorithms whose keys fit the stored bound.
    const offered = await beginPasskeyRegistration(t.db, user, await newSession(user), rp);
    expect(offered.options).toMatchObject({ attestation: "none", authenticatorSelection: { residentKey: "required" }, rp: { id: rp.id } });
    expect(offered.options.pubKeyCredParams.map((p) => p.alg)).toEqual([-8, -7, -257]);
    const key = await enrol(user, "  Work laptop  ");
    const [listed] = await listPasskeys(t.db, user.id);
    expect(listed).toMatchObject({ name: "Work laptop", lastUsedAt: null, backedUp: true, deviceType: "multiDevice" });

    // Password + passkey: the code step offers the passkey, and the passkey's answer starts a session.
    const { challenge, methods, begun } = await secondFactorPrompt(user);
    expect(methods).toEqual({ totp: false, passkey: true });
    if (!begun) throw new Error("no passkey prompt");
    expect(begun.options.allowCredentials?.map((c) => c.id)).toEqual([key.id]);
    const second = await completeSignIn(
      t.db,
      { challenge, passkeyAttempt: begun.attempt, passkeyResponse: key.assert(begun.options, { origin: rp.origin }) },
      client,
    );
    expect(second.ok).toBe(true);
    if (second.ok) expect((await checkSession(t.db, second.sessionId))?.user).toMatchObject({ id: user.id, hasSecondFactor: true });
    expect(await storedCounter(key.id)).toBe(1);

    // The passkey alone (user verified): both factors.
    const alone = await beginPasskeySignIn(t.db, rp);
    expect(alone.options.allowCredentials ?? []).toEqual([]);
    expect(alone.options.userVerification).toBe("required");
    const passwordless = await completePasskeySignIn(
      t.db,
      { attempt: alone.attempt, response: key.assert(alone.options, { origin: rp.origin }) },
      client,
    );
    expect(passwordless).toMatchObject({ ok: true, user: { id: user.id } });
    expect(await storedCounter(key.id)).toBe(2);
    expect((await listPasskeys(t.db, user.id))[0]!.lastUsedAt).not.toBeNull();

    const rows = await audit(user.id);
    expect(rows.find((r) => r.event_type === "PasskeyRegistered")?.summary).toBe('Passkey "Work laptop" added (synced)');
    // The customer is told in their inbox: a passkey added by someone else is a takeover.
    const told = rowsOf<{ title: string }>(
      await t.db.execute(sql`select title from notifications where user_id = ${user.id} and kind = 'security-changed'`),
    );
    expect(told.map((row) => row.title)).toContain("Passkey added");
    expect(rows.filter((r) => r.event_type === "SessionStarted").map((r) => r.summary)).toEqual(
      expect.arrayContaining(["Signed in (password and passkey) on Test", "Signed in (passkey) on Test"]),
    );
    expect((await verifyProjections(t.db)).differences).toEqual([]);
  });

  it("attack: a replayed challenge or a replayed answer signs nobody in", async () => {
    const user = await newUser();
    const key = await enrol(user);
    const begun = await beginPasskeySignIn(t.db, rp);
    const answer = key.assert(begun.options, { origin: rp.origin });
    expect((await completePasskeySignIn(t.db, { attempt: begun.attempt, response: answer }, client)).ok).toBe(true);
    // The same attempt and answer again (a captured request): the challenge was used up.
    expect(await completePasskeySignIn(t.db, { attempt: begun.attempt, response: answer }, client)).toEqual({ ok: false, reason: "EXPIRED" });
    // The old answer under a fresh attempt: its signed challenge is not the new one.
    const fresh = await beginPasskeySignIn(t.db, rp);
    expect((await completePasskeySignIn(t.db, { attempt: fresh.attempt, response: answer }, client)).ok).toBe(false);

    // Two requests racing with one attempt: exactly one wins.
    const race = await beginPasskeySignIn(t.db, rp);
    const raced = key.assert(race.options, { origin: rp.origin });
    const results = await Promise.all([1, 2].map(() => completePasskeySignIn(t.db, { attempt: race.attempt, response: raced }, client)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("attack: an answer made for another origin or RP id is refused, at sign-in and at enrolment", async () => {
    const user = await newUser();
    const key = await enrol(user);
    const phished = await beginPasskeySignIn(t.db, rp);
    expect(
      (await completePasskeySignIn(t.db, { attempt: phished.attempt, response: key.assert(phished.options, { origin: EVIL }) }, client)).ok,
    ).toBe(false);
    const otherRp = await beginPasskeySignIn(t.db, rp);
    expect(
      (
        await completePasskeySignIn(
          t.db,
          { attempt: otherRp.attempt, response: key.assert(otherRp.options, { origin: rp.origin, rpId: "evil.example" }) },
          client,
        )
      ).ok,
    ).toBe(false);

    const sessionId = await newSession(user);
    const { attempt, options } = await beginPasskeyRegistration(t.db, user, sessionId, rp);
    await expect(
      finishPasskeyRegistration(
        t.db,
        user,
        sessionId,
        { attempt, response: new SoftwareAuthenticator().register(options, { origin: EVIL }), name: "Phone" },
        rp,
      ),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await listPasskeys(t.db, user.id)).toHaveLength(1);
  });

  it("attack: another user's passkey does not pass someone else's second-factor step", async () => {
    const alice = await newUser();
    const bob = await newUser();
    await enrol(alice);
    const bobsKey = await enrol(bob);
    const { challenge, begun } = await secondFactorPrompt(alice);
    if (!begun) throw new Error("no passkey prompt");
    const result = await completeSignIn(
      t.db,
      { challenge, passkeyAttempt: begun.attempt, passkeyResponse: bobsKey.assert(begun.options, { origin: rp.origin }) },
      client,
    );
    expect(result).toEqual({ ok: false, reason: "BAD_CODE" });
    // Bob's passkey claiming to be Alice's (its user handle rewritten) in a passkey-only sign-in.
    const alone = await beginPasskeySignIn(t.db, rp);
    const forged = bobsKey.assert(alone.options, { origin: rp.origin, userHandle: Buffer.from(alice.id).toString("base64url") });
    expect((await completePasskeySignIn(t.db, { attempt: alone.attempt, response: forged }, client)).ok).toBe(false);
  });

  it("attack: a counter that went backwards (a cloned authenticator) is refused and not stored", async () => {
    const user = await newUser();
    const key = await enrol(user);
    const first = await beginPasskeySignIn(t.db, rp);
    expect(
      (await completePasskeySignIn(t.db, { attempt: first.attempt, response: key.assert(first.options, { origin: rp.origin, counter: 7 }) }, client))
        .ok,
    ).toBe(true);
    const clone = await beginPasskeySignIn(t.db, rp);
    expect(
      (await completePasskeySignIn(t.db, { attempt: clone.attempt, response: key.assert(clone.options, { origin: rp.origin, counter: 3 }) }, client))
        .ok,
    ).toBe(false);
    expect(await storedCounter(key.id)).toBe(7);
  });

  it("attack: the challenge of an expired sign-in, or an expired passkey challenge, signs nobody in", async () => {
    const user = await newUser();
    const key = await enrol(user);
    const start = new Date();
    const { challenge, begun } = await secondFactorPrompt(user, start);
    if (!begun) throw new Error("no passkey prompt");
    const later = new Date(start.getTime() + 6 * MINUTE);
    const answer = key.assert(begun.options, { origin: rp.origin });
    expect(await completeSignIn(t.db, { challenge, passkeyAttempt: begun.attempt, passkeyResponse: answer }, client, later)).toEqual({
      ok: false,
      reason: "EXPIRED",
    });
    // No new passkey prompt for an expired sign-in either.
    expect(await beginPasskeySecondFactor(t.db, challenge, rp, CHALLENGE_MAX_ATTEMPTS, later)).toBeNull();
    // A passkey-only challenge past its five minutes.
    const alone = await beginPasskeySignIn(t.db, rp, start);
    expect(
      (await completePasskeySignIn(t.db, { attempt: alone.attempt, response: key.assert(alone.options, { origin: rp.origin }) }, client, later)).ok,
    ).toBe(false);
    // Dead challenges are cleared: a new one made later removes the old.
    const count = async () =>
      Number(
        rowsOf<{ n: unknown }>(
          await t.db.execute(
            sql`select count(*) as n from webauthn_challenges where expires_at < ${start.toISOString()}::timestamptz + interval '10 minutes'`,
          ),
        )[0]!.n,
      );
    expect(await count()).toBeGreaterThan(0);
    await purgeWebauthnChallenges(t.db, new Date(later.getTime() + 5 * MINUTE));
    expect(await count()).toBe(0);
  });

  it("attack: a passkey-only sign-in needs user verification; a sign-in's passkey prompts are counted", async () => {
    const user = await newUser();
    const key = await enrol(user);
    const alone = await beginPasskeySignIn(t.db, rp);
    expect(
      (
        await completePasskeySignIn(
          t.db,
          { attempt: alone.attempt, response: key.assert(alone.options, { origin: rp.origin, userVerified: false }) },
          client,
        )
      ).ok,
    ).toBe(false);
    // Each prompt takes one of the sign-in's five tries: the sixth is refused.
    const { challenge } = await createSignInChallenge(t.db, user.id);
    const prompts = await Promise.all(
      Array.from({ length: CHALLENGE_MAX_ATTEMPTS + 3 }, () => beginPasskeySecondFactor(t.db, challenge, rp, CHALLENGE_MAX_ATTEMPTS)),
    );
    expect(prompts.filter(Boolean)).toHaveLength(CHALLENGE_MAX_ATTEMPTS);
  });

  it("attack: a registration is bound to its session; malformed, oversized and attested answers store nothing", async () => {
    const user = await newUser();
    const sessionA = await newSession(user);
    const sessionB = await newSession(user);
    const key = new SoftwareAuthenticator();
    const { attempt, options } = await beginPasskeyRegistration(t.db, user, sessionA, rp);
    const answer = key.register(options, { origin: rp.origin });
    await expect(finishPasskeyRegistration(t.db, user, sessionB, { attempt, response: answer, name: "Phone" }, rp)).rejects.toBeInstanceOf(
      ValidationError,
    );
    const other = await newUser();
    await expect(finishPasskeyRegistration(t.db, other, sessionA, { attempt, response: answer, name: "Phone" }, rp)).rejects.toBeInstanceOf(
      ValidationError,
    );

    type Options = Parameters<SoftwareAuthenticator["register"]>[0];
    const bad: { why: string; response: (o: Options) => string; name: string }[] = [
      { why: "not JSON", response: () => "{", name: "Phone" },
      { why: "too large", response: () => "x".repeat(100_000), name: "Phone" },
      {
        why: "an attestation certificate chain format",
        response: (o) => new SoftwareAuthenticator().register(o, { origin: rp.origin, fmt: "packed" }),
        name: "Phone",
      },
      {
        why: "a credential id past 1023 bytes",
        response: (o) => new SoftwareAuthenticator({ credentialId: Buffer.alloc(1100, 1) }).register(o, { origin: rp.origin }),
        name: "Phone",
      },
      {
        why: "a name too long",
        response: (o) => new SoftwareAuthenticator().register(o, { origin: rp.origin }),
        name: "n".repeat(PASSKEY_NAME_MAX + 1),
      },
      { why: "a blank name", response: (o) => new SoftwareAuthenticator().register(o, { origin: rp.origin }), name: "   " },
    ];
    for (const input of bad) {
      const fresh = await beginPasskeyRegistration(t.db, user, sessionA, rp);
      await expect(
        finishPasskeyRegistration(t.db, user, sessionA, { attempt: fresh.attempt, response: input.response(fresh.options), name: input.name }, rp),
        input.why,
      ).rejects.toBeInstanceOf(ValidationError);
    }
    expect(await listPasskeys(t.db, user.id)).toEqual([]);
    // A good answer to a fresh challenge works (the refusals were about the answers); the same
    // credential again is refused.
    const once = await beginPasskeyRegistration(t.db, user, sessionA, rp);
    await finishPasskeyRegistration(
      t.db,
      user,
      sessionA,
      { attempt: once.attempt, response: key.register(once.options, { origin: rp.origin }), name: "Phone" },
      rp,
    );
    const again = await beginPasskeyRegistration(t.db, user, sessionA, rp);
    expect(again.options.excludeCredentials?.map((c) => c.id)).toEqual([key.id]);
    await expect(
      finishPasskeyRegistration(
        t.db,
        user,
        sessionA,
        { attempt: again.attempt, response: key.register(again.options, { origin: rp.origin }), name: "Phone" },
        rp,
      ),
    ).rejects.toThrow(ValidationError);
    expect(await listPasskeys(t.db, user.id)).toHaveLength(1);
  });

  it("renames and removes only one's own passkeys, as events; an admin keeps a second factor", async () => {
    const alice = await newUser();
    const mallory = await newUser();
    await enrol(alice, "Old name");
    const [passkey] = await listPasskeys(t.db, alice.id);
    expect(await renamePasskey(t.db, mallory, { passkeyId: passkey!.id, name: "Mine now" })).toBe(false);
    expect(await removePasskey(t.db, mallory, passkey!.id)).toBe("not-found");
    await expect(renamePasskey(t.db, alice, { passkeyId: passkey!.id, name: "x".repeat(61) })).rejects.toBeInstanceOf(ValidationError);
    expect(await renamePasskey(t.db, alice, { passkeyId: passkey!.id, name: "Phone" })).toBe(true);
    expect((await listPasskeys(t.db, alice.id))[0]!.name).toBe("Phone");
    expect(await removePasskey(t.db, alice, passkey!.id)).toBe("removed");
    expect(await listPasskeys(t.db, alice.id)).toEqual([]);
    expect((await audit(alice.id)).filter((r) => r.event_type.startsWith("Passkey")).map((r) => r.summary)).toEqual([
      'Passkey "Old name" added (synced)',
      'Passkey "Old name" renamed "Phone"',
      'Passkey "Phone" removed',
    ]);
    // Without a second factor the password alone signs in again.
    expect((await createSignInChallenge(t.db, alice.id)).needsSecondFactor).toBe(false);

    // A passkey is an admin's second factor for the back office (the session check says so).
    const admin = await newUser("admin");
    expect((await checkSession(t.db, await newSession(admin)))?.user.hasSecondFactor).toBe(false);
    await enrol(admin, "Admin key");
    expect((await checkSession(t.db, await newSession(admin)))?.user.hasSecondFactor).toBe(true);
    const [only] = await listPasskeys(t.db, admin.id);
    expect(await removePasskey(t.db, admin, only!.id)).toBe("last-factor");
    await enrol(admin, "Spare key");
    expect(await removePasskey(t.db, admin, only!.id)).toBe("removed");
    expect((await verifyProjections(t.db)).differences).toEqual([]);
  });

  it("takes the relying party from configuration, else from the request's host", () => {
    expect(relyingParty({ host: "localhost:3230", proto: null })).toEqual({ id: "localhost", origin: "http://localhost:3230" });
    expect(relyingParty({ host: "bank.example.com", proto: "https" })).toEqual({ id: "bank.example.com", origin: "https://bank.example.com" });
  });
});
