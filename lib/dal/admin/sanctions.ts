import "server-only";
import { asc, eq, inArray } from "drizzle-orm";
import { addSanctionsEntry, removeSanctionsEntry } from "../../commands/transfers";
import { database } from "../../db";
import { sanctionsEntries, users } from "../../db/schema";
import { sanctionsEventCodec } from "../../domain/sanctions/codec";
import { SANCTIONS_STREAM_ID } from "../../domain/sanctions/sanctions";
import { DomainError, ValidationError } from "../../domain/shared/errors";
import { decodeEvent, readStream } from "../../event-store/read";
import { commandContext } from "../context";
import { adminMetadata, currentAdmin, formText, NOT_AN_ADMIN_MESSAGE, requireAdminUser, UUID } from "./access";

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

async function emailsOf(ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].filter((id) => UUID.test(id));
  if (unique.length === 0) return new Map();
  const { db } = await database();
  const rows = await db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, unique));
  return new Map(rows.map((row) => [row.id, row.email]));
}

/** The list as it stands, alphabetical. */
export async function listSanctions(): Promise<SanctionsEntryDto[]> {
  await requireAdminUser();
  const { db } = await database();
  const rows = await db.select().from(sanctionsEntries).orderBy(asc(sanctionsEntries.name));
  const emails = await emailsOf(rows.map((row) => row.addedBy));
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
export async function sanctionsHistory(): Promise<SanctionsHistoryDto[]> {
  await requireAdminUser();
  const { db } = await database();
  const events = (await readStream(db, SANCTIONS_STREAM_ID)).map((raw) => decodeEvent(sanctionsEventCodec, raw));
  const emails = await emailsOf(events.map((event) => event.metadata.actorId));
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

export type SanctionsFormState = {
  status: "idle" | "success" | "invalid" | "error";
  message?: string;
  /** For removals: which entry the field errors belong to. */
  entryId?: string;
  fieldErrors?: { name?: string[]; reason?: string[] };
  values?: { name: string; reason: string };
};

export async function submitSanctionsAddition(formData: FormData): Promise<SanctionsFormState> {
  const values = { name: formText(formData, "name"), reason: formText(formData, "reason") };
  const admin = await currentAdmin();
  if (!admin) return { status: "error", message: NOT_AN_ADMIN_MESSAGE, values };
  try {
    await addSanctionsEntry(await commandContext(), values, await adminMetadata(admin));
    return { status: "success", message: `Added “${values.name.trim()}” to the sanctions list. New transfers that mention it will be held.` };
  } catch (error) {
    if (error instanceof ValidationError) return { status: "invalid", values, fieldErrors: { name: error.fieldErrors.name, reason: error.fieldErrors.reason } };
    if (error instanceof DomainError && error.code === "SANCTIONS_ENTRY_EXISTS") {
      return { status: "invalid", values, fieldErrors: { name: ["That name is already on the list."] } };
    }
    throw error;
  }
}

export async function submitSanctionsRemoval(formData: FormData): Promise<SanctionsFormState> {
  const entryId = formText(formData, "entryId");
  const values = { name: "", reason: formText(formData, "reason") };
  const admin = await currentAdmin();
  if (!admin) return { status: "error", message: NOT_AN_ADMIN_MESSAGE };
  try {
    const { db } = await database();
    const entry = UUID.test(entryId) ? (await db.select().from(sanctionsEntries).where(eq(sanctionsEntries.entryId, entryId)))[0] : undefined;
    await removeSanctionsEntry(await commandContext(), { entryId, reason: values.reason }, await adminMetadata(admin));
    return { status: "success", message: `Removed “${entry?.name ?? "the entry"}” from the sanctions list.` };
  } catch (error) {
    if (error instanceof ValidationError) {
      if (error.fieldErrors.entryId) return { status: "error", message: "That entry is not on the list." };
      return { status: "invalid", entryId, values, fieldErrors: { reason: error.fieldErrors.reason } };
    }
    if (error instanceof DomainError && error.code === "SANCTIONS_ENTRY_NOT_FOUND") {
      return { status: "error", message: "That entry is not on the list any more: someone already removed it." };
    }
    throw error;
  }
}
