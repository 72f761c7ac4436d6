import { asc, eq, inArray } from "drizzle-orm";

import type { Database } from "../db/client";
import { sanctionsEntries, users, type SanctionsEntryRow } from "../db/schema";
import { sanctionsEventCodec } from "../domain/sanctions/codec";
import { SANCTIONS_STREAM_ID } from "../domain/sanctions/sanctions";
import { isUuid } from "../domain/shared/uuid";
import { decodeEvent, readStream } from "../event-store/read";

// The sanctions list and its history, for the back office (the DAL checks the role).

export type SanctionsEntryDto = { id: string; name: string; reason: string; addedBy: string; addedByEmail: string | null; addedAt: string };
export type SanctionsHistoryDto = {
  position: string;
  change: "added" | "removed";
  name: string;
  reason: string;
  actorId: string;
  actorEmail: string | null;
  recordedAt: string;
};

async function emailsOf(db: Database, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].filter((id) => isUuid(id));
  if (unique.length === 0) return new Map();
  const rows = await db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, unique));
  return new Map(rows.map((row) => [row.id, row.email]));
}

/** The list as it stands, alphabetical. */
export async function readSanctionsList(db: Database): Promise<SanctionsEntryDto[]> {
  const rows = await db.select().from(sanctionsEntries).orderBy(asc(sanctionsEntries.name));
  const emails = await emailsOf(
    db,
    rows.map((row) => row.addedBy),
  );
  return rows.map((row) => ({
    id: row.entryId,
    name: row.name,
    reason: row.reason,
    addedBy: row.addedBy,
    addedByEmail: emails.get(row.addedBy) ?? null,
    addedAt: row.addedAt.toISOString(),
  }));
}

/** Every addition and removal, newest first: the `sanctions` stream itself, with who, when and why. */
export async function readSanctionsHistory(db: Database): Promise<SanctionsHistoryDto[]> {
  const events = (await readStream(db, SANCTIONS_STREAM_ID)).map((raw) => decodeEvent(sanctionsEventCodec, raw));
  const emails = await emailsOf(
    db,
    events.map((event) => event.metadata.actorId),
  );
  return events.reverse().map((event) => ({
    position: event.streamPosition.toString(),
    change: event.type === "SanctionsEntryAdded" ? "added" : "removed",
    name: event.data.name,
    reason: event.data.reason,
    actorId: event.metadata.actorId,
    actorEmail: emails.get(event.metadata.actorId) ?? null,
    recordedAt: event.recordedAt.toISOString(),
  }));
}

/** One entry of the list as it stands, or undefined (removed, or not an id). */
export async function findSanctionsEntry(db: Database, entryId: unknown): Promise<SanctionsEntryRow | undefined> {
  if (!isUuid(entryId)) return undefined;
  return (await db.select().from(sanctionsEntries).where(eq(sanctionsEntries.entryId, entryId)))[0];
}
