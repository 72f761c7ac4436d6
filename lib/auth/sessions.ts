import { randomUUID } from "node:crypto";

import { and, desc, eq, gt, isNull, ne, sql } from "drizzle-orm";

import type { Database } from "../db/client";
import { passkeys, users, userSessions, type UserSessionRow } from "../db/schema";
import {
  identityEventCodec,
  USER_STREAM_TYPE,
  userStreamId,
  type IdentityEvent,
  type Role,
  type SessionEndReason,
  type SignInMethod,
} from "../domain/identity/events";
import type { CommandMetadata } from "../domain/shared/decider";
import { isUuid } from "../domain/shared/uuid";
import { env } from "../env";
import { recordFacts } from "../event-store/record";
import type { RawEvent } from "../event-store/types";
import { projectAudit, type SessionUser } from "./users";

/**
 * Server-side sessions. The Auth.js JWT (encrypted with AUTH_SECRET, so it cannot be forged) carries
 * the session's random id; every request looks the row up by primary key. A session ends when its
 * owner signs out, ends it from another session or signs out everywhere, when it has been idle for
 * SESSION_IDLE_MINUTES, or eight hours after sign-in (the JWT's own lifetime). Starting and ending
 * are events on the user's stream, so both are in the audit trail.
 */
export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;
/** last_seen_at is written at most this often: a write per request would be wasteful. */
export const LAST_SEEN_RESOLUTION_MS = 60_000;
/** A sensitive change (API token, second factor, password) needs a proof of identity this recent. */
export const REAUTH_WINDOW_MS = 5 * 60_000;
export const USER_AGENT_MAX = 200;
export const IP_MAX = 64;

export type ActiveSession = {
  id: string;
  userId: string;
  createdAt: Date;
  lastSeenAt: Date;
  authenticatedAt: Date;
};

export type CheckedSession = { user: SessionUser & { hasSecondFactor: boolean }; session: ActiveSession };

/** Printable text only, cut to `max` characters: what a client sends is never stored unbounded. */
export function boundedText(value: string | null | undefined, max: number): string {
  return (value ?? "")
    .toWellFormed()
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, "")
    .slice(0, max);
}

/** Whether the user has a second factor: an authenticator app or at least one passkey. */
export const hasSecondFactorSql = sql<boolean>`(${users.totpSecret} is not null or exists (select 1 from ${passkeys} where ${passkeys.userId} = ${users.id}))`;

const idleMs = () => env().SESSION_IDLE_MINUTES * 60_000;

async function record(
  tx: Database,
  userId: string,
  role: Role,
  events: IdentityEvent[],
  metadata: Partial<CommandMetadata> & { now: Date },
): Promise<RawEvent[]> {
  const raw = await recordFacts(tx, {
    streamId: userStreamId(userId),
    streamType: USER_STREAM_TYPE,
    events: events.map((event) => identityEventCodec.encode(event)),
    metadata: { origin: "web", actor: { id: userId, role: role === "admin" ? "admin" : "customer" }, ...metadata },
  });
  await projectAudit(tx, raw);
  return raw;
}

/** Starts a session for a user who just proved who they are; returns its id (for the JWT). */
export async function startSession(
  db: Database,
  user: Pick<SessionUser, "id" | "role">,
  options: { userAgent: string | null; ip: string | null; method: SignInMethod; now?: Date },
): Promise<string> {
  const now = options.now ?? new Date();
  const id = randomUUID();
  const userAgent = boundedText(options.userAgent, USER_AGENT_MAX);
  const ip = options.ip ? boundedText(options.ip, IP_MAX) || null : null;
  await db.transaction(async (tx) => {
    await tx.insert(userSessions).values({ id, userId: user.id, userAgent, ip, createdAt: now, lastSeenAt: now, authenticatedAt: now });
    await record(tx, user.id, user.role, [{ type: "SessionStarted", data: { sessionId: id, userAgent, ip, method: options.method } }], { now });
  });
  return id;
}

/**
 * The session and its user, if the session is live: one lookup by primary key (joined with the
 * user, so a changed role or a removed second factor counts at once). A session found idle or past
 * its lifetime is ended here (and that is recorded). last_seen_at moves at most once a minute.
 */
export async function checkSession(db: Database, sessionId: unknown, now = new Date()): Promise<CheckedSession | null> {
  if (!isUuid(sessionId)) return null;
  const rows = await db
    .select({
      session: userSessions,
      email: users.email,
      name: users.name,
      role: users.role,
      hasSecondFactor: hasSecondFactorSql,
    })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(eq(userSessions.id, sessionId));
  const row = rows[0];
  if (!row || row.session.endedAt) return null;
  const { session } = row;
  const role = row.role as Role;
  if (session.createdAt.getTime() + SESSION_MAX_AGE_SECONDS * 1000 <= now.getTime()) {
    await endSessions(db, { id: session.userId, role }, { sessionId: session.id, reason: "expired", now });
    return null;
  }
  if (session.lastSeenAt.getTime() + idleMs() <= now.getTime()) {
    await endSessions(db, { id: session.userId, role }, { sessionId: session.id, reason: "idle", now });
    return null;
  }
  let lastSeenAt = session.lastSeenAt;
  if (now.getTime() - session.lastSeenAt.getTime() >= LAST_SEEN_RESOLUTION_MS) {
    await db
      .update(userSessions)
      .set({ lastSeenAt: now })
      .where(and(eq(userSessions.id, session.id), isNull(userSessions.endedAt)));
    lastSeenAt = now;
  }
  return {
    user: { id: session.userId, email: row.email, name: row.name, role, hasSecondFactor: Boolean(row.hasSecondFactor) },
    session: { id: session.id, userId: session.userId, createdAt: session.createdAt, lastSeenAt, authenticatedAt: session.authenticatedAt },
  };
}

/**
 * Ends one session of the user's (`sessionId`), or all of them (`all`, optionally but one). Only the
 * user's own live sessions are touched; each one ended is recorded. Returns how many ended.
 */
export async function endSessions(
  db: Database,
  user: Pick<SessionUser, "id" | "role">,
  options: { sessionId?: string; all?: boolean; except?: string; reason: SessionEndReason; now?: Date; tx?: Database },
): Promise<number> {
  const now = options.now ?? new Date();
  if (!options.all && !isUuid(options.sessionId)) return 0;
  const work = async (tx: Database) => {
    const ended = await tx
      .update(userSessions)
      .set({ endedAt: now, endReason: options.reason })
      .where(
        and(
          eq(userSessions.userId, user.id),
          isNull(userSessions.endedAt),
          options.all ? (options.except ? ne(userSessions.id, options.except) : undefined) : eq(userSessions.id, options.sessionId!),
        ),
      )
      .returning({ id: userSessions.id });
    if (ended.length > 0) {
      await record(
        tx,
        user.id,
        user.role,
        ended.map(({ id }) => ({ type: "SessionEnded", data: { sessionId: id, reason: options.reason } })),
        { now },
      );
    }
    return ended.length;
  };
  return options.tx ? work(options.tx) : db.transaction(work);
}

export type SessionSummary = Pick<UserSessionRow, "id" | "userAgent" | "ip" | "createdAt" | "lastSeenAt">;

/** The user's live sessions (not ended, not idle), most recently used first. */
export async function listSessions(db: Database, userId: string, now = new Date()): Promise<SessionSummary[]> {
  return db
    .select({
      id: userSessions.id,
      userAgent: userSessions.userAgent,
      ip: userSessions.ip,
      createdAt: userSessions.createdAt,
      lastSeenAt: userSessions.lastSeenAt,
    })
    .from(userSessions)
    .where(
      and(
        eq(userSessions.userId, userId),
        isNull(userSessions.endedAt),
        gt(userSessions.lastSeenAt, new Date(now.getTime() - idleMs())),
        gt(userSessions.createdAt, new Date(now.getTime() - SESSION_MAX_AGE_SECONDS * 1000)),
      ),
    )
    .orderBy(desc(userSessions.lastSeenAt))
    .limit(100);
}

/** Whether the session's last proof of identity is recent enough for a sensitive change. */
export const recentlyAuthenticated = (session: Pick<ActiveSession, "authenticatedAt">, now = new Date()) =>
  now.getTime() - session.authenticatedAt.getTime() < REAUTH_WINDOW_MS;

/** Records a fresh proof of identity in a live session. */
export async function markReauthenticated(
  db: Database,
  user: Pick<SessionUser, "id" | "role">,
  sessionId: string,
  method: SignInMethod,
  now = new Date(),
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const updated = await tx
      .update(userSessions)
      .set({ authenticatedAt: now, lastSeenAt: now })
      .where(and(eq(userSessions.id, sessionId), eq(userSessions.userId, user.id), isNull(userSessions.endedAt)))
      .returning({ id: userSessions.id });
    if (updated.length === 0) return false;
    await record(tx, user.id, user.role, [{ type: "SessionReauthenticated", data: { sessionId, method } }], { now });
    return true;
  });
}

export { record as recordIdentityEvents };
