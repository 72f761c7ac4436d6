import "server-only";

import { notFound, redirect } from "next/navigation";
import { cache } from "react";

import { auth } from "../auth/config";
import { checkSession, type CheckedSession } from "../auth/sessions";
import type { SessionUser } from "../auth/users";
import { database } from "../db";

/**
 * The signed-in user and their server-side session, once per request: the signed JWT names the
 * session, and one lookup by primary key says whether it is still live (not signed out, ended from
 * elsewhere, idle or expired) and who the user is now (role read from the users row).
 */
export const currentSession = cache(async (): Promise<CheckedSession | null> => {
  const session = await auth();
  if (!session?.user?.id || !session.sessionId) return null;
  const { db } = await database();
  const checked = await checkSession(db, session.sessionId);
  if (!checked || checked.user.id !== session.user.id) return null;
  return checked;
});

export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const checked = await currentSession();
  if (!checked) return null;
  const { id, email, name, role } = checked.user;
  return { id, email, name, role };
});

/** For pages and actions: the user, or off to sign in. */
export async function requireUser(): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  return user;
}

/** For pages: the live session, or off to sign in. */
export async function requireSession(): Promise<CheckedSession> {
  const checked = await currentSession();
  if (!checked) redirect("/sign-in");
  return checked;
}

/** Admin pages answer "not found" to everyone else: no hint that they exist. */
export async function requireAdmin(): Promise<SessionUser> {
  const user = await requireUser();
  if (user.role !== "admin") notFound();
  return user;
}
