import "server-only";

import { randomUUID } from "node:crypto";

import type { SessionUser } from "../auth/users";
import { addPayee, confirmPayee, deletePayee, renamePayee } from "../commands/payees";
import { ibanText } from "../commands/transfers";
import { database } from "../db";
import { formatAccountNumber, normaliseAccountNumber } from "../domain/account/account-number";
import { ValidationError } from "../domain/shared/errors";
import { decodePayeeCursor, findPayeeFor, readPayeePage, toPayeeDto, type PayeeDto } from "../read-models/payees";
import { fieldError, formCommand, formText, formValues, webMetadata } from "./form";
import { requireUser } from "./session";

export type { PayeeDto } from "../read-models/payees";

/** The signed-in customer's payees, in name order (one page; the cap keeps it short). */
export async function listMyPayees(cursor?: string): Promise<{ payees: PayeeDto[]; nextCursor: string | null }> {
  const user = await requireUser();
  const { db } = await database();
  const page = await readPayeePage(db, user.id, { limit: 100, after: cursor ? decodePayeeCursor(cursor) : undefined });
  return { payees: page.rows.map(toPayeeDto), nextCursor: page.nextCursor };
}

/** One of the user's payees, for the transfer and order forms; undefined for anyone else's. */
export async function findMyPayee(user: SessionUser, payeeId: unknown): Promise<PayeeDto | undefined> {
  const { db } = await database();
  const row = await findPayeeFor(db, user.id, payeeId);
  return row ? toPayeeDto(row) : undefined;
}

export type PayeeFormState = {
  stage: "edit" | "confirm" | "saved";
  commandId: string;
  values: { name: string; accountNumber: string; holderName?: string };
  fieldErrors?: Partial<Record<"name" | "accountNumber" | "holderName" | "iban" | "_form", string[]>>;
  message?: string;
  /** Confirmation of payee: the holder's masked name, shown before anything is saved. */
  holderName?: string;
  /** An account at another bank: the name is the customer's own, not confirmed by anyone. */
  external?: boolean;
};

/**
 * Adding a payee: "check" looks the number up and shows the holder's masked name; "save" records
 * the payee under the form's command id (a resent form saves once), provided the holder is still
 * the one shown.
 */
export async function submitPayeeForm(formData: FormData): Promise<PayeeFormState> {
  const values = formValues(formData, ["name", "accountNumber", "holderName"]);
  const intent = formText(formData, "intent");
  const outcome = await formCommand<Omit<PayeeFormState, "commandId">>(formData, {
    // The first step only checks: a form without an id gets one, which its save then carries.
    commandId: "draw",
    check: "your payees",
    async run({ user, metadata }) {
      if (intent === "edit-again") return { stage: "edit", values };
      if (values.name.trim() === "") throw fieldError("name", "Give the payee a name you will recognise.");
      const { db } = await database();
      const iban = ibanOf(values.accountNumber);
      if (iban) {
        const holderName = values.holderName.trim();
        if (holderName === "") throw fieldError("holderName", "For an account at another bank, enter its holder's name as their bank knows it.");
        if (intent !== "save")
          return { values: { ...values, accountNumber: formatAccountNumber(iban), holderName }, stage: "confirm", holderName, external: true };
        await addPayee(db, user, { name: values.name, iban, holderName }, metadata);
      } else {
        const confirmation = await confirmPayee(db, { accountNumber: values.accountNumber });
        if (intent !== "save")
          return {
            values: { ...values, accountNumber: formatAccountNumber(confirmation.accountNumber) },
            stage: "confirm",
            holderName: confirmation.holderName,
          };
        await addPayee(db, user, { ...values, confirmedHolderName: values.holderName }, metadata);
      }
      return { values: { name: "", accountNumber: "" }, stage: "saved", message: `Saved ${values.name.trim()}.` };
    },
  });
  if (outcome.ok) return { ...outcome.value, commandId: outcome.value.stage === "saved" ? randomUUID() : outcome.commandId };
  const base = { stage: "edit" as const, commandId: outcome.commandId, values };
  if (outcome.kind === "error") return { ...base, message: outcome.message };
  // An IBAN's problems belong to the one number field the form has.
  const { iban, ...rest } = outcome.fieldErrors;
  return { ...base, fieldErrors: iban ? { ...rest, accountNumber: iban } : rest };
}

/**
 * Not one of our numbers but a valid IBAN: an account at another bank, saved with the name given.
 * Two letters and two digits that are not ours were meant as an IBAN, so what is wrong with it is said.
 */
function ibanOf(accountNumber: string): string | undefined {
  if (normaliseAccountNumber(accountNumber) !== null) return undefined;
  const parsed = ibanText.safeParse(accountNumber);
  if (!parsed.data && /^\s*(?!ll)[a-z]{2}\s*\d{2}/i.test(accountNumber)) {
    throw fieldError("accountNumber", parsed.error?.issues[0]?.message ?? "That is not a valid IBAN.");
  }
  return parsed.data;
}

// A one-button row form (rename, delete), as the order list's: it keeps no state to show, and a
// signed-out click goes to the sign-in page.
/** Renames or deletes one of the user's payees; false when it is not theirs (nothing changes). */
export async function changeMyPayee(formData: FormData): Promise<{ ok: boolean; message?: string }> {
  const user = await requireUser();
  const { db } = await database();
  const payeeId = formText(formData, "payeeId");
  try {
    if (formText(formData, "intent") === "delete") return { ok: await deletePayee(db, user, { payeeId }, await webMetadata(user)) };
    return { ok: (await renamePayee(db, user, { payeeId, name: formText(formData, "name") }, await webMetadata(user))) !== undefined };
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, message: Object.values(error.fieldErrors).flat().join(" ") };
    throw error;
  }
}
