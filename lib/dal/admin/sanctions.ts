import "server-only";
import { addSanctionsEntry, removeSanctionsEntry } from "../../commands/transfers";
import { database } from "../../db";
import { DomainError, ValidationError } from "../../domain/shared/errors";
import { findSanctionsEntry, readSanctionsHistory, readSanctionsList, type SanctionsEntryDto, type SanctionsHistoryDto } from "../../read-models/sanctions";
import { commandContext } from "../context";
import { adminMetadata, currentAdmin, formText, NOT_AN_ADMIN_MESSAGE, requireAdminUser } from "./access";

export type { SanctionsEntryDto, SanctionsHistoryDto } from "../../read-models/sanctions";

/** The list as it stands, alphabetical. */
export async function listSanctions(): Promise<SanctionsEntryDto[]> {
  await requireAdminUser();
  const { db } = await database();
  return readSanctionsList(db);
}

/** Every addition and removal, newest first, with who, when and why. */
export async function sanctionsHistory(): Promise<SanctionsHistoryDto[]> {
  await requireAdminUser();
  const { db } = await database();
  return readSanctionsHistory(db);
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
    const entry = await findSanctionsEntry(db, entryId);
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
