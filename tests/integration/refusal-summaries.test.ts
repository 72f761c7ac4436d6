import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { isRateLimited } from "@/lib/auth/rate-limits";
import { registerUser, verifyCredentials } from "@/lib/auth/users";
import { addressKey } from "@/lib/client-address";
import { rowsOf, type Database } from "@/lib/db/client";
import { readAuditPage, toAuditRowDto } from "@/lib/read-models/audit";

import { backends, type TestDatabase } from "../support/databases";

async function count(db: Database, table: "events" | "audit_log" | "refusal_summaries"): Promise<number> {
  return Number(rowsOf<{ n: string }>(await db.execute(sql.raw(`select count(*)::text as n from ${table}`)))[0]?.n);
}

// Finding 3: refused sign-ins are counted summaries (one event per key and window), not one event each.
describe.each(backends)("attack: a thousand refused sign-ins on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  it("1,000 refused attempts at a locked email append O(1) events and audit rows; the audit trail shows their count", async () => {
    const email = `locked-${randomUUID()}@example.com`;
    await registerUser(t.db, { name: "Lou Locked", email, password: "the right phrase" });
    // Five wrong passwords lock the email (each is checked and recorded).
    for (let i = 0; i < 5; i++)
      expect(await verifyCredentials(t.db, { email, password: `wrong ${i}` }, "198.51.100.7")).toMatchObject({ reason: "BAD_CREDENTIALS" });
    const before = { events: await count(t.db, "events"), audit: await count(t.db, "audit_log"), summaries: await count(t.db, "refusal_summaries") };

    // The attacker goes on from many addresses: throttled, then refused by the account's rate limit.
    let refused = 0;
    for (let batch = 0; batch < 20; batch++) {
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          verifyCredentials(t.db, { email, password: `guess ${batch * 50 + i}` }, `198.51.100.${(batch * 50 + i) % 200}`).then(
            (result) => (result.ok ? "SIGNED_IN" : result.reason),
            (error: unknown) => (isRateLimited(error) ? "RATE_LIMITED" : String(error)),
          ),
        ),
      );
      refused += results.filter((result) => result === "THROTTLED" || result === "RATE_LIMITED").length;
    }
    expect(refused).toBe(1000);

    // One event (and audit row) per 15-minute window: a run across a window's edge makes two.
    const added = { events: (await count(t.db, "events")) - before.events, audit: (await count(t.db, "audit_log")) - before.audit };
    expect(added.events).toBeGreaterThanOrEqual(1);
    expect(added.events).toBeLessThanOrEqual(2);
    expect(added.audit).toBe(added.events);
    expect((await count(t.db, "refusal_summaries")) - before.summaries).toBe(added.events);

    // The audit trail says how many, for whom, and when.
    const page = await readAuditPage(t.db, { type: "SignInFailed" }, undefined, 50);
    const lines = page.rows
      .map(toAuditRowDto)
      .map((row) => row.summary)
      .filter((summary) => summary.includes("refused sign-in"));
    expect(lines).toHaveLength(added.events);
    const pattern = new RegExp(
      `^(\\d+) refused sign-ins? for ${email.replace(/[.]/g, "\\.")} between \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC and \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC$`,
    );
    const counted = lines.map((line) => Number(pattern.exec(line)?.[1]));
    expect(counted.reduce((sum, n) => sum + n, 0)).toBe(1000);
  });

  it("many emails tried from one address: after its throttle and rate limit, one summary for the address, not an event each", async () => {
    const address = "203.0.113.77";
    const outcome = (email: string) =>
      verifyCredentials(t.db, { email, password: "a wrong guess" }, address).then(
        (result) => (result.ok ? "SIGNED_IN" : result.reason),
        (error: unknown) => (isRateLimited(error) ? "RATE_LIMITED" : String(error)),
      );
    // Where fifty wrong guesses from this address leave it (locked), without spending fifty password hashes here.
    const key = `ip:${addressKey(address)}`;
    await t.db.execute(
      sql`insert into sign_in_throttle (key, failures, window_started_at, locked_until) values (${key}, 50, now(), now() + interval '15 minutes')`,
    );
    const before = await count(t.db, "events");
    const results: string[] = [];
    for (let i = 0; i < 300; i++) results.push(await outcome(`someone-${i}-${randomUUID()}@example.com`));
    // Throttled by the address's lock, then refused by its rate limit: never checked, never hashed.
    expect(results.filter((result) => result === "THROTTLED").length).toBeGreaterThan(0);
    expect(results.filter((result) => result === "RATE_LIMITED").length).toBeGreaterThan(0);
    expect(results.filter((result) => result === "THROTTLED" || result === "RATE_LIMITED")).toHaveLength(300);
    // 300 emails, each new: still one event per window, counted under the address.
    const added = (await count(t.db, "events")) - before;
    expect(added).toBeGreaterThanOrEqual(1);
    expect(added).toBeLessThanOrEqual(2);
    const summaries = rowsOf<{ attempts: number }>(await t.db.execute(sql`select attempts from refusal_summaries where key = ${key}`));
    expect(summaries.reduce((sum, row) => sum + Number(row.attempts), 0)).toBe(300);
    const page = await readAuditPage(t.db, { type: "SignInFailed" }, undefined, 5);
    expect(page.rows.map(toAuditRowDto)[0]?.summary).toMatch(/^\d+ refused sign-ins from 203\.0\.113\.77 between /);
  });
});
