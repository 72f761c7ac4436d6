import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { generate } from "otplib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { enrolTotp, newTotpSecret, removeTotp, spendSecondFactor } from "@/lib/auth/second-factor";
import { checkSession, endSessions, LAST_SEEN_RESOLUTION_MS, listSessions, markReauthenticated, recentlyAuthenticated } from "@/lib/auth/sessions";
import { CHALLENGE_MAX_ATTEMPTS, completeSignIn, createSignInChallenge } from "@/lib/auth/sign-in";
import { registerUser, type SessionUser } from "@/lib/auth/users";
import { rowsOf } from "@/lib/db/client";
import { verifyProjections } from "@/lib/projections/rebuild";

import { backends, type TestDatabase } from "../support/databases";

const MINUTE = 60_000;
const client = { userAgent: "Mozilla/5.0 (X11; Linux x86_64) Test", ip: "203.0.113.7" };

describe.each(backends)("server-side sessions and the second factor on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  const newUser = async (): Promise<SessionUser> =>
    registerUser(t.db, { name: "Sam Session", email: `s-${randomUUID()}@example.com`, password: "a long enough phrase" });
  const signIn = async (user: SessionUser, code?: string, now = new Date()) => {
    const { challenge } = await createSignInChallenge(t.db, user.id, now);
    return completeSignIn(t.db, { challenge, code }, client, now);
  };
  const audit = async (userId: string) =>
    rowsOf<{ event_type: string; summary: string }>(
      await t.db.execute(sql`select event_type, summary from audit_log where stream_id = ${"user-" + userId} order by global_position`),
    );

  it("attack: a copied session id stops working once its session is signed out, or ended from another session", async () => {
    const user = await newUser();
    const first = await signIn(user);
    const second = await signIn(user);
    if (!first.ok || !second.ok) throw new Error("sign-in failed");
    expect(await checkSession(t.db, first.sessionId)).toMatchObject({ user: { id: user.id, email: user.email } });
    expect((await listSessions(t.db, user.id)).map((s) => s.id).sort()).toEqual([first.sessionId, second.sessionId].sort());

    // The second session ends the first (as the devices page does); the stolen copy of the first is dead.
    expect(await endSessions(t.db, user, { sessionId: first.sessionId, reason: "ended" })).toBe(1);
    expect(await checkSession(t.db, first.sessionId)).toBeNull();
    // Signing out ends the second one.
    expect(await endSessions(t.db, user, { sessionId: second.sessionId, reason: "signed-out" })).toBe(1);
    expect(await checkSession(t.db, second.sessionId)).toBeNull();
    expect(await listSessions(t.db, user.id)).toEqual([]);

    const rows = await audit(user.id);
    expect(rows.filter((r) => r.event_type === "SessionStarted")).toHaveLength(2);
    expect(rows.filter((r) => r.event_type === "SessionEnded").map((r) => r.summary)).toEqual([
      `Session ${first.sessionId.slice(0, 8)} ended: ended from another session`,
      `Session ${second.sessionId.slice(0, 8)} ended: signed out`,
    ]);
  });

  it("one user cannot end another user's session; sign out everywhere ends all of one's own", async () => {
    const alice = await newUser();
    const mallory = await newUser();
    const a1 = await signIn(alice);
    const a2 = await signIn(alice);
    if (!a1.ok || !a2.ok) throw new Error("sign-in failed");
    expect(await endSessions(t.db, mallory, { sessionId: a1.sessionId, reason: "ended" })).toBe(0);
    expect(await checkSession(t.db, a1.sessionId)).not.toBeNull();
    expect(await endSessions(t.db, alice, { all: true, reason: "everywhere" })).toBe(2);
    expect(await checkSession(t.db, a1.sessionId)).toBeNull();
    expect(await checkSession(t.db, a2.sessionId)).toBeNull();
    expect(await checkSession(t.db, "not-a-session-id")).toBeNull();
  });

  it("ends an idle session, and writes last-seen at most once a minute", async () => {
    const user = await newUser();
    const start = new Date("2026-01-01T10:00:00Z");
    const signedIn = await signIn(user, undefined, start);
    if (!signedIn.ok) throw new Error("sign-in failed");
    const seen = async () =>
      rowsOf<{ last_seen_at: unknown }>(await t.db.execute(sql`select last_seen_at from user_sessions where id = ${signedIn.sessionId}`))[0]!
        .last_seen_at;
    const before = await seen();
    expect(await checkSession(t.db, signedIn.sessionId, new Date(start.getTime() + 10_000))).not.toBeNull();
    expect(await seen()).toEqual(before);
    expect(await checkSession(t.db, signedIn.sessionId, new Date(start.getTime() + LAST_SEEN_RESOLUTION_MS + 1))).not.toBeNull();
    expect(await seen()).not.toEqual(before);
    // 30 minutes (the default SESSION_IDLE_MINUTES) without a request: ended, and recorded as idle.
    expect(await checkSession(t.db, signedIn.sessionId, new Date(start.getTime() + LAST_SEEN_RESOLUTION_MS + 31 * MINUTE))).toBeNull();
    expect((await audit(user.id)).at(-1)?.summary).toBe(`Session ${signedIn.sessionId.slice(0, 8)} ended: idle too long`);
  });

  it("re-authentication is fresh for five minutes after sign-in or confirmation", async () => {
    const user = await newUser();
    const start = new Date();
    const signedIn = await signIn(user, undefined, start);
    if (!signedIn.ok) throw new Error("sign-in failed");
    const session = (await checkSession(t.db, signedIn.sessionId, start))!.session;
    expect(recentlyAuthenticated(session, new Date(start.getTime() + 4 * MINUTE))).toBe(true);
    expect(recentlyAuthenticated(session, new Date(start.getTime() + 6 * MINUTE))).toBe(false);
    const later = new Date(start.getTime() + 6 * MINUTE);
    expect(await markReauthenticated(t.db, user, signedIn.sessionId, "password", later)).toBe(true);
    expect(recentlyAuthenticated((await checkSession(t.db, signedIn.sessionId, later))!.session, later)).toBe(true);
  });

  it("attack: with a second factor enrolled, the password alone gives no session; a code works once; a recovery code works once", async () => {
    const user = await newUser();
    const secret = newTotpSecret();
    const now = new Date();
    const codes = await enrolTotp(t.db, user, { secret, code: await generate({ secret, epoch: Math.floor(now.getTime() / 1000) }) }, now);
    expect(codes).toHaveLength(10);
    expect(codes[0]).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);

    const { challenge, needsSecondFactor } = await createSignInChallenge(t.db, user.id);
    expect(needsSecondFactor).toBe(true);
    expect(await completeSignIn(t.db, { challenge }, client)).toEqual({ ok: false, reason: "BAD_CODE" });
    expect(await completeSignIn(t.db, { challenge, code: "000000" }, client)).toMatchObject({ ok: false });
    // The code used at enrolment cannot be replayed (its time step was used).
    const enrolmentCode = await generate({ secret, epoch: Math.floor(now.getTime() / 1000) });
    expect(await completeSignIn(t.db, { challenge, code: enrolmentCode }, client)).toMatchObject({ ok: false });

    const nextStep = new Date(now.getTime() + 30_000);
    const fresh = await generate({ secret, epoch: Math.floor(nextStep.getTime() / 1000) });
    const ok = await completeSignIn(t.db, { challenge, code: fresh }, client, nextStep);
    expect(ok).toMatchObject({ ok: true, user: { id: user.id } });
    // The challenge is spent.
    expect(await completeSignIn(t.db, { challenge, code: fresh }, client, nextStep)).toEqual({ ok: false, reason: "EXPIRED" });

    const recovery = codes[3]!;
    expect(await spendSecondFactor(t.db, user, recovery.toLowerCase().replaceAll("-", " "))).toBe("recovery-code");
    expect(await spendSecondFactor(t.db, user, recovery)).toBeNull();
    const rows = await audit(user.id);
    expect(rows.map((r) => r.event_type)).toEqual(expect.arrayContaining(["SecondFactorEnrolled", "SessionStarted", "RecoveryCodeUsed"]));
    expect(rows.find((r) => r.event_type === "RecoveryCodeUsed")?.summary).toBe("Recovery code used (9 left)");

    expect(await removeTotp(t.db, user)).toBe(true);
    expect((await createSignInChallenge(t.db, user.id)).needsSecondFactor).toBe(false);
    expect(await spendSecondFactor(t.db, user, codes[4]!)).toBeNull();
  });

  it("attack: parallel code guesses on one challenge get at most five checks", async () => {
    const user = await newUser();
    const secret = newTotpSecret();
    const now = new Date();
    await enrolTotp(t.db, user, { secret, code: await generate({ secret, epoch: Math.floor(now.getTime() / 1000) }) }, now);
    const { challenge } = await createSignInChallenge(t.db, user.id);
    const guesses = await Promise.all(Array.from({ length: 20 }, (_, i) => completeSignIn(t.db, { challenge, code: String(100000 + i) }, client)));
    expect(guesses.every((g) => !g.ok)).toBe(true);
    const attempts = rowsOf<{ attempts: number }>(await t.db.execute(sql`select attempts from sign_in_challenges where user_id = ${user.id}`));
    expect(attempts[0]?.attempts).toBe(CHALLENGE_MAX_ATTEMPTS);
    // Even the right code is refused now: the challenge is used up.
    const later = new Date(now.getTime() + 30_000);
    expect(
      await completeSignIn(t.db, { challenge, code: await generate({ secret, epoch: Math.floor(later.getTime() / 1000) }) }, client, later),
    ).toEqual({
      ok: false,
      reason: "EXPIRED",
    });
  });

  it("bounds what the client sends: a huge user agent is cut to 200 characters", async () => {
    const user = await newUser();
    const { challenge } = await createSignInChallenge(t.db, user.id);
    const result = await completeSignIn(t.db, { challenge }, { userAgent: `UA\u0000${"x".repeat(10_000)}`, ip: "y".repeat(500) });
    if (!result.ok) throw new Error("sign-in failed");
    const [row] = await listSessions(t.db, user.id);
    expect(row?.userAgent).toHaveLength(200);
    expect(row?.userAgent.startsWith("UAx")).toBe(true);
    expect(row?.ip).toHaveLength(64);
  });

  it("keeps the audit trail of session events rebuildable", async () => {
    expect((await verifyProjections(t.db)).differences).toEqual([]);
  });
});
