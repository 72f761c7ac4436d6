import { createHash, randomBytes } from "node:crypto";

import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import { z } from "zod";

import { createdId } from "../commands/ids";
import { parseInput, requiredText } from "../commands/validation";
import type { Database } from "../db/client";
import { apiTokens, type ApiTokenRow } from "../db/schema";
import { runStatement, statement, type Statement } from "../db/statement";
import { identityEventCodec, USER_STREAM_TYPE, userStreamId, type Role } from "../domain/identity/events";
import { toDate } from "../event-store/read";
import { recordFacts } from "../event-store/record";
import { projectAudit, type SessionUser } from "./users";

/**
 * Personal API tokens: `llt_` + 32 random bytes (base64url). Only their SHA-256 is stored, so a
 * leaked table grants nothing; a token is shown once, when it is made. Issuing and revoking are
 * recorded as events on the user's stream (and so audited).
 */
export const TOKEN_PREFIX = "llt_";
const TOKEN_PATTERN = /^llt_[A-Za-z0-9_-]{43}$/;
export const TOKEN_LIFETIME_DAYS = [1, 7, 30, 90, 365] as const;
/** How often a token's last-used time is written at most (a write per request would be wasteful). */
const LAST_USED_RESOLUTION_MS = 5 * 60_000;

/**
 * What a token may do. "full": whatever its user may; "read": only reading (GET); "webhooks":
 * reading and managing the user's webhooks. Only a full token can move money, so an integration
 * that only listens never holds one that can.
 */
export const TOKEN_SCOPES = ["full", "read", "webhooks"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");

export type ApiTokenSummary = {
  id: string;
  name: string;
  /** The token's first characters, e.g. "llt_Xy3k9"; enough to tell tokens apart, useless to an attacker. */
  prefix: string;
  createdVia: "api" | "portal";
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  status: "active" | "expired" | "revoked";
  scope: TokenScope;
};

const toSummary = (row: ApiTokenRow, now: Date): ApiTokenSummary => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  createdVia: row.createdVia as ApiTokenSummary["createdVia"],
  createdAt: row.createdAt,
  expiresAt: row.expiresAt,
  lastUsedAt: row.lastUsedAt,
  revokedAt: row.revokedAt,
  status: row.revokedAt ? "revoked" : row.expiresAt <= now ? "expired" : "active",
  scope: scopeOf(row.scope),
});

const scopeOf = (value: string): TokenScope => ((TOKEN_SCOPES as readonly string[]).includes(value) ? (value as TokenScope) : "read");

export const issueTokenInput = z.object({
  name: requiredText("Name", 60),
  lifetimeDays: z.coerce
    .number({ error: "Choose how long the token lasts." })
    .refine((days) => (TOKEN_LIFETIME_DAYS as readonly number[]).includes(days), "Choose how long the token lasts."),
  scope: z.enum(TOKEN_SCOPES, { error: "Choose what the token may do: full, read or webhooks." }).default("full"),
});

type Actor = Pick<SessionUser, "id" | "role">;

/** Makes a token for `user`; the returned `token` is the only time anyone sees it. Throws ValidationError. */
export async function issueApiToken(
  db: Database,
  user: Actor,
  input: unknown,
  options: { via: "api" | "portal"; now?: Date; commandId?: string },
): Promise<{ token: string; summary: ApiTokenSummary }> {
  const { name, lifetimeDays, scope } = parseInput(issueTokenInput, input);
  const now = options.now ?? new Date();
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const row: ApiTokenRow = {
    // From the form's command id when there is one: a resent form meets the token it made.
    id: createdId("token", { actor: { id: user.id, role: roleOf(user.role) }, commandId: options.commandId }),
    userId: user.id,
    name,
    tokenHash: hashToken(token),
    prefix: token.slice(0, TOKEN_PREFIX.length + 6),
    createdVia: options.via,
    createdAt: now,
    expiresAt: new Date(now.getTime() + lifetimeDays * 86_400_000),
    lastUsedAt: null,
    revokedAt: null,
    scope,
  };
  await db.transaction(async (tx) => {
    const inserted = await tx.insert(apiTokens).values(row).onConflictDoNothing({ target: apiTokens.id }).returning({ id: apiTokens.id });
    if (inserted.length === 0) throw new TokenAlreadyIssuedError();
    const raw = await recordFacts(tx, {
      streamId: userStreamId(user.id),
      streamType: USER_STREAM_TYPE,
      events: [
        identityEventCodec.encode({
          type: "ApiTokenIssued",
          data: { tokenId: row.id, name, prefix: row.prefix, expiresAt: row.expiresAt.toISOString(), via: options.via, scope },
        }),
      ],
      metadata: { now, actor: { id: user.id, role: roleOf(user.role) }, origin: options.via === "api" ? "api" : "web" },
    });
    await projectAudit(tx, raw);
  });
  return { token, summary: toSummary(row, now) };
}

/** The user's tokens, newest first: active ones, and those that ended in the last 30 days. */
export async function listApiTokens(db: Database, userId: string, now = new Date()): Promise<ApiTokenSummary[]> {
  const recent = new Date(now.getTime() - 30 * 86_400_000);
  const rows = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, userId), or(and(isNull(apiTokens.revokedAt), gt(apiTokens.expiresAt, recent)), gt(apiTokens.revokedAt, recent))))
    .orderBy(desc(apiTokens.createdAt))
    .limit(200);
  return rows.map((row) => toSummary(row, now));
}

/**
 * Revokes one of the user's own tokens. Returns false when there is no such token of theirs (or it
 * was revoked already): nothing is changed or recorded then.
 */
export async function revokeApiToken(db: Database, user: Actor, tokenId: unknown, options: { via: "api" | "portal"; now?: Date }): Promise<boolean> {
  if (typeof tokenId !== "string" || tokenId.length > 64) return false;
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const revoked = await tx
      .update(apiTokens)
      .set({ revokedAt: now })
      .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, user.id), isNull(apiTokens.revokedAt)))
      .returning();
    const row = revoked[0];
    if (!row) return false;
    const raw = await recordFacts(tx, {
      streamId: userStreamId(user.id),
      streamType: USER_STREAM_TYPE,
      events: [identityEventCodec.encode({ type: "ApiTokenRevoked", data: { tokenId: row.id, name: row.name, prefix: row.prefix } })],
      metadata: { now, actor: { id: user.id, role: roleOf(user.role) }, origin: options.via === "api" ? "api" : "web" },
    });
    await projectAudit(tx, raw);
    return true;
  });
}

export type TokenUser = SessionUser & { tokenId: string; scope: TokenScope };

/**
 * The command that would make this token already made it (a form sent twice). Its secret was shown
 * once, to the first request, and is kept only as a hash: it cannot be shown again.
 */
export class TokenAlreadyIssuedError extends Error {
  constructor() {
    super("This token was already created; its secret was shown once, when it was made.");
    this.name = "TokenAlreadyIssuedError";
  }
}

/**
 * The user a bearer token belongs to, if the token exists, is not revoked and has not expired; the
 * role is read from the user row on every request, so a changed role takes effect at once.
 */
export async function authenticateToken(db: Database, token: string, now = new Date()): Promise<TokenUser | undefined> {
  const lookup = tokenUserStatement(token, now);
  if (!lookup) return undefined;
  // Every API call runs this: a fixed-text statement, not a query built anew each time.
  const admitted = tokenUserOf((await runStatement(db, lookup))[0], now);
  if (!admitted) return undefined;
  if (admitted.lastUsedWrite) await runStatement(db, admitted.lastUsedWrite);
  return admitted.user;
}

/**
 * The statement that finds a token's user (at most one row, the user's id also as `actor_id`), or
 * undefined for something that is not a token at all. A command may send it in its own first
 * round trip (lib/api/route.ts): the same checks, a round trip less.
 */
export function tokenUserStatement(token: string, now: Date): Statement | undefined {
  return TOKEN_PATTERN.test(token) ? statement(TOKEN_USER, hashToken(token), now.toISOString()) : undefined;
}

/**
 * The user of a row of that statement (none: unknown, expired or revoked), and the write of its
 * last use when the stored one is older than the resolution.
 */
export function tokenUserOf(row: Record<string, unknown> | undefined, now: Date): { user: TokenUser; lastUsedWrite?: Statement } | undefined {
  if (!row) return undefined;
  const user: TokenUser = {
    id: String(row.id),
    email: String(row.email),
    name: String(row.name),
    role: row.role as Role,
    tokenId: String(row.token_id),
    scope: scopeOf(String(row.scope)),
  };
  const lastUsedAt = row.last_used_at == null ? null : toDate(row.last_used_at);
  if (lastUsedAt && now.getTime() - lastUsedAt.getTime() <= LAST_USED_RESOLUTION_MS) return { user };
  const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS).toISOString();
  return { user, lastUsedWrite: statement(TOKEN_USED, user.tokenId, now.toISOString(), stale) };
}

// $1 the token's hash, $2 now.
const TOKEN_USER = `select t.id as token_id, t.last_used_at, t.scope, u.id, u.id as actor_id, u.email, u.name, u.role
  from api_tokens t join users u on u.id = t.user_id
 where t.token_hash = $1 and t.revoked_at is null and t.expires_at > $2::timestamptz`;
// $1 the token's id, $2 now, $3 now less the resolution: one write per token per resolution, even
// when requests race.
const TOKEN_USED = `update api_tokens set last_used_at = $2::timestamptz
 where id = $1 and (last_used_at is null or last_used_at < $3::timestamptz)`;

const roleOf = (role: Role): "customer" | "admin" | "scheme" => (role === "admin" || role === "scheme" ? role : "customer");
