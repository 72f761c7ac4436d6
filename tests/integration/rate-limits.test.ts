import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { consumeRateLimit, isRateLimited, RATE_LIMITS } from "@/lib/auth/rate-limits";
import { registerUser, verifyCredentials } from "@/lib/auth/users";
import { rowsOf } from "@/lib/db/client";
import { ValidationError } from "@/lib/domain/shared/errors";

import { backends, postgresBackends, type TestDatabase } from "../support/databases";

describe.each(backends)("rate limits of unauthenticated endpoints on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  it("attack: a flood of sign-ups from one address is cut off at the limit, whatever emails it uses, and writes nothing then", async () => {
    const address = "198.51.100.20";
    const outcomes: string[] = [];
    for (let i = 0; i < RATE_LIMITS.signUp.address.points + 3; i++) {
      try {
        // Weak passwords: refused by validation, so no hashing; they still count.
        await registerUser(t.db, { name: "Flood", email: `flood-${i}-${randomUUID()}@example.com`, password: "short" }, { address });
        outcomes.push("registered");
      } catch (error) {
        outcomes.push(isRateLimited(error) ? "limited" : error instanceof ValidationError ? "invalid" : String(error));
      }
    }
    expect(outcomes.slice(0, RATE_LIMITS.signUp.address.points)).toEqual(Array(RATE_LIMITS.signUp.address.points).fill("invalid"));
    expect(outcomes.slice(RATE_LIMITS.signUp.address.points)).toEqual(["limited", "limited", "limited"]);
    // Another address is not affected.
    await expect(
      registerUser(t.db, { name: "Other", email: `o-${randomUUID()}@example.com`, password: "short" }, { address: "203.0.113.99" }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it("attack: guesses at one account from many addresses hit the per-account limit, and the refusals add no events", async () => {
    const email = `acct-${randomUUID()}@example.com`;
    await registerUser(t.db, { name: "Acct Owner", email, password: "the right phrase" });
    const outcomes: string[] = [];
    for (let i = 0; i < RATE_LIMITS.signIn.account.points + 2; i++) {
      try {
        const result = await verifyCredentials(t.db, { email, password: `wrong guess ${i}` }, `192.0.2.${i + 1}`);
        outcomes.push(result.ok ? "ok" : result.reason);
      } catch (error) {
        outcomes.push(isRateLimited(error) ? "limited" : String(error));
      }
    }
    expect(outcomes.filter((o) => o === "BAD_CREDENTIALS")).toHaveLength(5);
    expect(outcomes.slice(-2)).toEqual(["limited", "limited"]);
    const events = rowsOf<{ n: number }>(
      await t.db.execute(sql`select count(*)::int as n from events where event_type = 'SignInFailed' and data->>'email' = ${email}`),
    );
    expect(events[0]?.n).toBe(6); // five checked failures and one for the lock
  }, 60_000);
});

describe.each(postgresBackends)("rate limits shared by instances on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  it("two instances (pools) counting concurrently for one address let through exactly the limit together", async () => {
    const other = (await t.openAnother(5)).db;
    const attempts = Array.from({ length: 40 }, (_, i) =>
      consumeRateLimit(i % 2 ? other : t.db, "tokenIssue", { address: "198.51.100.44" }).then(
        () => "allowed",
        (error: unknown) => (isRateLimited(error) ? "limited" : String(error)),
      ),
    );
    const outcomes = await Promise.all(attempts);
    expect(outcomes.filter((o) => o === "allowed")).toHaveLength(RATE_LIMITS.tokenIssue.address.points);
    expect(outcomes.filter((o) => o === "limited")).toHaveLength(40 - RATE_LIMITS.tokenIssue.address.points);
  });
});
