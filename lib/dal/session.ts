import "server-only";
import { notFound, redirect } from "next/navigation";
import { cache } from "react";
import { auth } from "../auth/config";
import type { SessionUser } from "../auth/users";

/** The signed-in user from the signed JWT cookie, verified once per request. */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await auth();
  const user = session?.user;
  if (!user?.id || !user.email) return null;
  return { id: user.id, email: user.email, name: user.name ?? user.email, role: user.role };
});

/** For pages and actions: the user, or off to sign in. */
export async function requireUser(): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect("/sign-in");
  return user;
}

/** Admin pages answer "not found" to everyone else: no hint that they exist. */
export async function requireAdmin(): Promise<SessionUser> {
  const user = await requireUser();
  if (user.role !== "admin") notFound();
  return user;
}
