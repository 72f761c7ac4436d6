import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { isRateLimited } from "@/lib/auth/rate-limits";
import { THROTTLE_POLICY } from "@/lib/auth/throttle";
import { registerUser, verifyCredentials } from "@/lib/auth/users";
import { rowsOf } from "@/lib/db/client";

import { postgresBackends, type TestDatabase } from "../support/databases";

const signInFailures = async (t: TestDatabase, email: string) =>
  rowsOf<{ reason: string }>(
    await t.db.execute(sql`select data->>'reason' as reason from events where event_type = 'SignInFailed' and data->>'email' = ${email}`),
  );

describe.each(postgresBackends)("attack: parallel password guesses at one email on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  it("100 concurrent guesses from many instances reach the password check at most 5 times; even the right password is then refused", async () => {
    const email = `race-${randomUUID()}@example.com`;
    await registerUser(t.db, { name: "Rae Race", email, password: "the right phrase" });
    // Four "instances", each with its own pool, all guessing at once.
    const pools = [t.db, ...(await Promise.all([t.openAnother(10), t.openAnother(10), t.openAnother(10)])).map((h) => h.db)];
    // Each guess ends checked (a wrong password), throttled, or refused by the per-account rate limit.
    const attempt = (db: TestDatabase["db"], password: string, ip: string) =>
      verifyCredentials(db, { email, password }, ip).then(
        (result) => (result.ok ? "SIGNED_IN" : result.reason),
        (error: unknown) => (isRateLimited(error) ? "RATE_LIMITED" : String(error)),
      );
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => attempt(pools[i % pools.length]!, `guess number ${i}`, `198.51.100.${i % 200}`)),
    );
    const checked = results.filter((r) => r === "BAD_CREDENTIALS");
    expect(checked.length).toBeLessThanOrEqual(THROTTLE_POLICY.email.limit);
    expect(results.filter((r) => r === "THROTTLED" || r === "RATE_LIMITED").length).toBe(100 - checked.length);
    expect(["THROTTLED", "RATE_LIMITED"]).toContain(await attempt(t.db, "the right phrase", "203.0.113.1"));
    // The refusals are one counted summary (one event) per 15-minute window, not one per request:
    // two only if the run crosses a window's edge.
    const events = await signInFailures(t, email);
    expect(events.filter((e) => e.reason === "BAD_CREDENTIALS").length).toBe(checked.length);
    expect(events.filter((e) => e.reason === "THROTTLED").length).toBeGreaterThanOrEqual(1);
    expect(events.filter((e) => e.reason === "THROTTLED").length).toBeLessThanOrEqual(2);
  });
});
