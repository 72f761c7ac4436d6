import { eq } from "drizzle-orm";

import type { Database } from "../db/client";
import { users, type UserRow } from "../db/schema";
import { isUuid } from "../domain/shared/uuid";

// A user's row as it stands now, for checks that must not trust the session's copy (the admin
// role, a confirmed address) and the back office's customer page.

/** The user, or undefined (also for anything that is not an id). */
export async function findUser(db: Database, userId: unknown): Promise<UserRow | undefined> {
  if (!isUuid(userId)) return undefined;
  return (await db.select().from(users).where(eq(users.id, userId)))[0];
}
