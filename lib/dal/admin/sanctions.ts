import "server-only";

import { addSanctionsEntry, removeSanctionsEntry } from "../../commands/transfers";
import { database } from "../../db";
import { DomainError } from "../../domain/shared/errors";
import {
  findSanctionsEntry,
  readSanctionsHistory,
  readSanctionsList,
  type SanctionsEntryDto,
  type SanctionsHistoryDto,
} from "../../read-models/sanctions";
import { commandContext } from "../context";
import { adminFormCommand, fieldError, formText, formValues } from "../form";
import { requireAdminUser } from "./access";

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
  const values = formValues(formData, ["name", "reason"]);
  const outcome = await adminFormCommand(formData, {
    // The list refuses a name it already has: a resent addition adds nothing.
    commandId: "none",
    async run({ metadata }) {
      try {
        await addSanctionsEntry(await commandContext(), values, metadata);
      } catch (error) {
        // The list's refusal is about the name typed in: said at that field.
        if (error instanceof DomainError && error.code === "SANCTIONS_ENTRY_EXISTS") throw fieldError("name", "That name is already on the list.");
        throw error;
      }
    },
  });
  if (outcome.ok)
    return { status: "success", message: `Added “${values.name.trim()}” to the sanctions list. New transfers that mention it will be held.` };
  return outcome.kind === "invalid"
    ? { status: "invalid", values, fieldErrors: { name: outcome.fieldErrors.name, reason: outcome.fieldErrors.reason } }
    : { status: "error", message: outcome.message, values };
}

export async function submitSanctionsRemoval(formData: FormData): Promise<SanctionsFormState> {
  const entryId = formText(formData, "entryId");
  const values = { name: "", reason: formText(formData, "reason") };
  const outcome = await adminFormCommand(formData, {
    // Removing an entry twice is refused by the list (not on it any more).
    commandId: "none",
    refusals: { SANCTIONS_ENTRY_NOT_FOUND: "That entry is not on the list any more: someone already removed it." },
    async run({ metadata }) {
      const { db } = await database();
      const entry = await findSanctionsEntry(db, entryId);
      await removeSanctionsEntry(await commandContext(), { entryId, reason: values.reason }, metadata);
      return entry?.name ?? "the entry";
    },
  });
  if (outcome.ok) return { status: "success", message: `Removed “${outcome.value}” from the sanctions list.` };
  if (outcome.kind === "error") return { status: "error", message: outcome.message };
  if (outcome.fieldErrors.entryId) return { status: "error", message: "That entry is not on the list." };
  return { status: "invalid", entryId, values, fieldErrors: { reason: outcome.fieldErrors.reason } };
}
