import { randomUUID } from "node:crypto";

import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { authenticateToken, hashToken, issueApiToken, listApiTokens, revokeApiToken } from "@/lib/auth/api-tokens";
import { registerUser, type SessionUser } from "@/lib/auth/users";
import { rowsOf } from "@/lib/db/client";
import { apiTokens, auditLog } from "@/lib/db/schema";
import { ValidationError } from "@/lib/domain/shared/errors";
import { verifyProjections } from "@/lib/projections/rebuild";

import { backends, type TestDatabase } from "../support/databases";

describe.each(backends)("personal API tokens on $name", (backend) => {
  let t: TestDatabase;
  let owner: SessionUser;
  let other: SessionUser;

  beforeAll(async () => {
    t = await backend.create();
    owner = await registerUser(t.db, { name: "Tori Token", email: `tori-${randomUUID()}@example.com`, password: "copper kettle song" });
    other = await registerUser(t.db, { name: "Otto Other", email: `otto-${randomUUID()}@example.com`, password: "velvet marble hill" });
  });
  afterAll(() => t.drop());

  it("stores only the token's hash, authenticates it with the user's current role, and shows it in the list without the secret", async () => {
    const { token, summary } = await issueApiToken(t.db, owner, { name: "Budget script", lifetimeDays: 30 }, { via: "portal" });
    expect(token).toMatch(/^llt_[A-Za-z0-9_-]{43}$/);
    const row = (await t.db.select().from(apiTokens).where(eq(apiTokens.id, summary.id)))[0];
    expect(row?.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token.slice(4));
    expect(row?.prefix).toBe(token.slice(0, 10));

    const user = await authenticateToken(t.db, token);
    expect(user).toMatchObject({ id: owner.id, email: owner.email, role: "customer", tokenId: summary.id });
    expect(await authenticateToken(t.db, `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`)).toBeUndefined();
    expect(await authenticateToken(t.db, "not a token")).toBeUndefined();

    const listed = await listApiTokens(t.db, owner.id);
    expect(listed.map((entry) => entry.id)).toContain(summary.id);
    expect(listed.find((entry) => entry.id === summary.id)).toMatchObject({ status: "active", name: "Budget script", createdVia: "portal" });
    expect(await listApiTokens(t.db, other.id)).toEqual([]);
  });

  it("refuses an expired token, and lists it as expired", async () => {
    const issuedAt = new Date(Date.now() - 2 * 86_400_000);
    const { token, summary } = await issueApiToken(t.db, owner, { name: "Short lived", lifetimeDays: 1 }, { via: "api", now: issuedAt });
    expect(await authenticateToken(t.db, token, new Date(issuedAt.getTime() + 3_600_000))).toBeDefined();
    expect(await authenticateToken(t.db, token)).toBeUndefined();
    expect((await listApiTokens(t.db, owner.id)).find((entry) => entry.id === summary.id)?.status).toBe("expired");
  });

  it("revokes only the owner's token, once, and records both issue and revocation in the audit log", async () => {
    const { token, summary } = await issueApiToken(t.db, owner, { name: "To revoke", lifetimeDays: 7 }, { via: "portal" });
    expect(await revokeApiToken(t.db, other, summary.id, { via: "portal" })).toBe(false);
    expect(await authenticateToken(t.db, token)).toBeDefined();
    expect(await revokeApiToken(t.db, owner, summary.id, { via: "portal" })).toBe(true);
    expect(await revokeApiToken(t.db, owner, summary.id, { via: "portal" })).toBe(false);
    expect(await authenticateToken(t.db, token)).toBeUndefined();

    const audit = await t.db.select().from(auditLog).where(eq(auditLog.customerId, owner.id));
    const summaries = audit.map((entry) => entry.summary);
    expect(summaries).toContain(`API token "To revoke" (${summary.prefix}…) revoked`);
    expect(summaries.some((text) => text.startsWith(`API token "To revoke" (${summary.prefix}…) issued via portal`))).toBe(true);
    expect(summaries.every((text) => !text.includes(token))).toBe(true);
  });

  it("refuses a bad name or lifetime with every field's error and records nothing", async () => {
    const before = rowsOf<{ n: string }>(await t.db.execute(sql`select count(*)::text as n from events`))[0]?.n;
    const error = await issueApiToken(t.db, owner, { name: " ", lifetimeDays: 3 }, { via: "portal" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(Object.keys((error as ValidationError).fieldErrors).sort()).toEqual(["lifetimeDays", "name"]);
    expect(rowsOf<{ n: string }>(await t.db.execute(sql`select count(*)::text as n from events`))[0]?.n).toBe(before);
  });

  it("replays the token events into the same audit rows (projections verify clean)", async () => {
    const report = await verifyProjections(t.db);
    expect(report.differences).toEqual([]);
  });
});
