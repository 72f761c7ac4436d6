import { randomUUID } from "node:crypto";

import { sql } from "drizzle-orm";

import { newTotpSecret } from "@/lib/auth/second-factor";
import { checkSession } from "@/lib/auth/sessions";
import { processDatabase } from "@/lib/db/process-database";
import { users, userSessions } from "@/lib/db/schema";

/**
 * For tests that mock Auth.js: a real server-side session for the user the test signs in (the DAL
 * checks it on every call), made once and reused while it is live. Admins get a second factor,
 * which the back office requires. The row is written directly (no SessionStarted event), so the
 * tests' counts of events stay what the actions themselves append.
 */
const sessions = new Map<string, string>();

export async function testSessionFor(user: { id: string; role: string }): Promise<string> {
  const { db } = await processDatabase();
  const known = sessions.get(user.id);
  if (known && (await checkSession(db, known))) return known;
  if (user.role === "admin") {
    await db
      .update(users)
      .set({ totpSecret: newTotpSecret() })
      .where(sql`${users.id} = ${user.id} and ${users.totpSecret} is null`);
  }
  const id = randomUUID();
  const now = new Date();
  await db.insert(userSessions).values({ id, userId: user.id, userAgent: "vitest", ip: null, createdAt: now, lastSeenAt: now, authenticatedAt: now });
  sessions.set(user.id, id);
  return id;
}
