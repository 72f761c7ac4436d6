import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "../db/client";
import { auditLog, users } from "../db/schema";
import { identityEventCodec, type IdentityEvent, USER_STREAM_TYPE, userStreamId } from "../domain/identity/events";
import { isTimeZone } from "../domain/order/schedule";
import type { CommandMetadata } from "../domain/shared/decider";
import { decodeEvent } from "../event-store/read";
import { lockStream, recordFacts } from "../event-store/record";
import type { StoredEvent } from "../event-store/types";
import { identityAuditEntry } from "../projections/identity-projection";
import { parseInput } from "./validation";

export const timeZoneField = z
  .string({ error: "Choose a time zone." })
  .max(64, "Choose a time zone from the list.")
  .refine((value) => isTimeZone(value), "Choose a time zone from the list (like Europe/Berlin).");

/** The customer's time zone, or null when they never set one (the browser's is then offered). */
export async function timeZoneOf(db: Database, userId: string): Promise<string | null> {
  const [row] = await db.select({ timeZone: users.timeZone }).from(users).where(eq(users.id, userId));
  return row?.timeZone ?? null;
}

/** Sets the customer's time zone, recorded as TimeZoneChanged on their stream; no event when it is unchanged. */
export async function setTimeZone(db: Database, owner: { id: string }, input: unknown, metadata: CommandMetadata): Promise<string> {
  const { timeZone } = parseInput(z.object({ timeZone: timeZoneField }), input);
  return db.transaction(async (tx) => {
    await lockStream(tx, userStreamId(owner.id));
    const [before] = await tx.select({ timeZone: users.timeZone }).from(users).where(eq(users.id, owner.id));
    if (!before || before.timeZone === timeZone) return timeZone;
    await tx.update(users).set({ timeZone }).where(eq(users.id, owner.id));
    const event: IdentityEvent = { type: "TimeZoneChanged", data: { from: before.timeZone, to: timeZone } };
    const raw = await recordFacts(tx, { streamId: userStreamId(owner.id), streamType: USER_STREAM_TYPE, events: [identityEventCodec.encode(event)], metadata });
    await tx.insert(auditLog).values(raw.map((stored) => identityAuditEntry(decodeEvent(identityEventCodec, stored) as StoredEvent<IdentityEvent>)));
    return timeZone;
  });
}
