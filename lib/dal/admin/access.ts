import "server-only";

import { notFound, redirect } from "next/navigation";
import { cache } from "react";

import type { SessionUser } from "../../auth/users";
import { database } from "../../db";
import type { CommandMetadata } from "../../domain/shared/decider";
import { findUser } from "../../read-models/users";
import { requestIds } from "../../request-context";
import { currentSession, currentUser, requireAdmin } from "../session";

/**
 * The signed JWT says who is an admin for up to eight hours; the users table says so now. Both must
 * agree, so an admin whose role was taken away loses the back office at their next request.
 * Cached per request.
 */
const stillAdmin = cache(async (userId: string): Promise<boolean> => {
  const { db } = await database();
  return (await findUser(db, userId))?.role === "admin";
});

/** For admin pages and data: signed out goes to sign-in, anyone but an admin gets "not found". */
export async function requireAdminUser(): Promise<SessionUser> {
  const admin = await requireAdmin();
  if (!(await stillAdmin(admin.id))) notFound();
  // The back office needs a second factor: an admin without one sets it up first.
  if (!(await currentSession())?.user.hasSecondFactor) redirect("/settings/security?required=admin");
  return admin;
}

/**
 * For admin server actions and routes, which answer with a value rather than a page: the admin, or
 * null for everyone else (signed out, a customer, a demoted admin). Callers then change nothing.
 */
export async function currentAdmin(): Promise<SessionUser | null> {
  const user = await currentUser();
  if (!user || user.role !== "admin") return null;
  if (!(await currentSession())?.user.hasSecondFactor) return null;
  return (await stillAdmin(user.id)) ? user : null;
}

/** What every admin command carries: who, when, from where, and the request's ids. */
export async function adminMetadata(admin: SessionUser, commandId?: string): Promise<CommandMetadata> {
  return { now: new Date(), actor: { id: admin.id, role: "admin" }, origin: "web", ...(await requestIds()), ...(commandId ? { commandId } : {}) };
}

/** The one answer an action gives a caller who is not an admin: nothing here, nothing changed. */
export const NOT_AN_ADMIN_MESSAGE = "Not found.";

export { UUID_PATTERN as UUID } from "../../domain/shared/uuid";
