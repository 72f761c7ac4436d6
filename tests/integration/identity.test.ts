import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { registerUser, verifyCredentials } from "@/lib/auth/users";
import { rowsOf } from "@/lib/db/client";
import { ValidationError } from "@/lib/domain/shared/errors";
import { verifyProjections } from "@/lib/projections/rebuild";

import { backends, type TestDatabase } from "../support/databases";

describe.each(backends)("sign-up and sign-in on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  const audit = async (email: string) =>
    rowsOf<{ event_type: string; outcome: string; summary: string }>(
      await t.db.execute(sql`select event_type, outcome, summary from audit_log where summary like ${"%" + email + "%"} order by global_position`),
    );

  it("registers a customer with a hashed password and audits it; refuses a duplicate email and weak passwords", async () => {
    const email = `Reg-${randomUUID()}@Example.com`;
    const user = await registerUser(t.db, { name: "Rita Reg", email, password: "a long enough phrase" });
    expect(user).toMatchObject({ email: email.toLowerCase(), role: "customer" });
    const stored = rowsOf<{ password_hash: string }>(await t.db.execute(sql`select password_hash from users where id = ${user.id}`));
    expect(stored[0]?.password_hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(await audit(email.toLowerCase())).toEqual([
      { event_type: "UserRegistered", outcome: "accepted", summary: `Registered customer ${email.toLowerCase()}` },
    ]);

    await expect(registerUser(t.db, { name: "Again", email, password: "another long phrase" })).rejects.toMatchObject({
      fieldErrors: { email: ["An account with this email already exists. Sign in instead."] },
    });
    for (const password of ["short", "password123", "aaaaaaaaaaaa"]) {
      await expect(registerUser(t.db, { name: "Weak", email: `w-${randomUUID()}@example.com`, password })).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it("throttles an email after five failures, refusing even the right password, and audits every failure and the lock once", async () => {
    const email = `thr-${randomUUID()}@example.com`;
    await registerUser(t.db, { name: "Tess Throttle", email, password: "the right phrase" });
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await verifyCredentials(t.db, { email, password: `wrong ${i}` }, "203.0.113.9"));
    expect(results.slice(0, 5).map((r) => r.ok || r.reason)).toEqual(Array(5).fill("BAD_CREDENTIALS"));
    expect(results[5]).toMatchObject({ ok: false, reason: "THROTTLED" });
    expect(await verifyCredentials(t.db, { email, password: "the right phrase" }, "203.0.113.9")).toMatchObject({ ok: false, reason: "THROTTLED" });
    const rows = await audit(email);
    // Five failures, then one event for the refusals' window however many follow (they are counted).
    expect(rows.filter((r) => r.event_type === "SignInFailed")).toHaveLength(6);
    expect(rows.filter((r) => r.summary.endsWith("throttled"))).toHaveLength(1);
  });

  it("signs in with the right password, and audits a failure for an email nobody registered", async () => {
    const email = `ok-${randomUUID()}@example.com`;
    await registerUser(t.db, { name: "Olga Ok", email, password: "open sesame please" });
    expect(await verifyCredentials(t.db, { email: email.toUpperCase(), password: "open sesame please" }, null)).toMatchObject({
      ok: true,
      user: { email },
    });
    const ghost = `ghost-${randomUUID()}@example.com`;
    expect(await verifyCredentials(t.db, { email: ghost, password: "anything at all" }, null)).toEqual({ ok: false, reason: "BAD_CREDENTIALS" });
    expect(await audit(ghost)).toEqual([
      { event_type: "SignInFailed", outcome: "rejected", summary: `Sign-in failed for ${ghost}: wrong email or password` },
    ]);
  });

  it("refuses text Postgres cannot store (NUL, lone surrogates) as a field error, and records a garbled sign-in attempt safely", async () => {
    for (const name of ["Nul\u0000Name", "Half\ud800", "Tab\tName"]) {
      await expect(registerUser(t.db, { name, email: `n-${randomUUID()}@example.com`, password: "a long enough phrase" })).rejects.toMatchObject({
        fieldErrors: { name: ["Use letters, spaces and punctuation only."] },
      });
    }
    const garbled = `bad\u0000\udc00${randomUUID()}`;
    expect(await verifyCredentials(t.db, { email: garbled, password: "whatever it is" }, null)).toEqual({ ok: false, reason: "BAD_CREDENTIALS" });
    expect(await audit(garbled.slice(5))).toHaveLength(1);
  });

  it("keeps the audit trail of identity events rebuildable", async () => {
    expect((await verifyProjections(t.db)).differences).toEqual([]);
  });
});
