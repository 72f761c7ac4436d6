import "server-only";
import { randomUUID } from "node:crypto";
import { addPayee, confirmPayee, deletePayee, renamePayee } from "../commands/payees";
import { ibanText } from "../commands/transfers";
import { normaliseAccountNumber } from "../domain/account/account-number";
import { database } from "../db";
import { formatAccountNumber } from "../domain/account/account-number";
import type { CommandMetadata } from "../domain/shared/decider";
import { ValidationError } from "../domain/shared/errors";
import { decodePayeeCursor, findPayeeFor, type PayeeDto, readPayeePage, toPayeeDto } from "../read-models/payees";
import { requestIds } from "../request-context";
import type { SessionUser } from "../auth/users";
import { currentUser, requireUser } from "./session";

export type { PayeeDto } from "../read-models/payees";

async function webMetadata(user: SessionUser, commandId?: string): Promise<CommandMetadata> {
  return { now: new Date(), actor: { id: user.id, role: user.role }, commandId, origin: "web", ...(await requestIds()) };
}

const text = (formData: FormData, key: string) => {
  const value = formData.get(key);
  return typeof value === "string" ? value : "";
};

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
  const values = { name: text(formData, "name"), accountNumber: text(formData, "accountNumber"), holderName: text(formData, "holderName") };
  const commandId = /^[0-9a-f-]{36}$/i.test(text(formData, "commandId")) ? text(formData, "commandId") : randomUUID();
  const base = { commandId, values };
  const user = await currentUser();
  if (!user) return { ...base, stage: "edit", message: "Your session has ended. Sign in again to continue." };
  if (text(formData, "intent") === "edit-again") return { ...base, stage: "edit" };
  const { db } = await database();
  try {
    if (values.name.trim() === "") throw new ValidationError({ name: ["Give the payee a name you will recognise."] });
    // Not one of our numbers but a valid IBAN: an account at another bank, saved with the name given.
    const ours = normaliseAccountNumber(values.accountNumber) !== null;
    const parsedIban = ours ? undefined : ibanText.safeParse(values.accountNumber);
    const iban = parsedIban?.data;
    // Two letters and two digits, not ours: meant as an IBAN, so say what is wrong with it.
    if (!ours && !iban && /^\s*(?!ll)[a-z]{2}\s*\d{2}/i.test(values.accountNumber)) {
      throw new ValidationError({ accountNumber: [parsedIban?.error?.issues[0]?.message ?? "That is not a valid IBAN."] });
    }
    if (iban) {
      const holderName = values.holderName.trim();
      if (holderName === "") throw new ValidationError({ holderName: ["For an account at another bank, enter its holder's name as their bank knows it."] });
      const checked = { ...values, accountNumber: formatAccountNumber(iban), holderName };
      if (text(formData, "intent") !== "save") return { ...base, values: checked, stage: "confirm", holderName, external: true };
      await addPayee(db, user, { name: values.name, iban, holderName }, await webMetadata(user, commandId));
      return { commandId: randomUUID(), values: { name: "", accountNumber: "" }, stage: "saved", message: `Saved ${values.name.trim()}.` };
    }
    const confirmation = await confirmPayee(db, { accountNumber: values.accountNumber });
    const checked = { ...values, accountNumber: formatAccountNumber(confirmation.accountNumber) };
    if (text(formData, "intent") !== "save") return { ...base, values: checked, stage: "confirm", holderName: confirmation.holderName };
    await addPayee(db, user, { ...values, confirmedHolderName: text(formData, "holderName") }, await webMetadata(user, commandId));
    return { commandId: randomUUID(), values: { name: "", accountNumber: "" }, stage: "saved", message: `Saved ${values.name.trim()}.` };
  } catch (error) {
    if (error instanceof ValidationError) {
      // An IBAN's problems belong to the one number field the form has.
      const { iban, ...rest } = error.fieldErrors;
      return { ...base, stage: "edit", fieldErrors: iban ? { ...rest, accountNumber: iban } : rest };
    }
    throw error;
  }
}

/** Renames or deletes one of the user's payees; false when it is not theirs (nothing changes). */
export async function changeMyPayee(formData: FormData): Promise<{ ok: boolean; message?: string }> {
  const user = await requireUser();
  const { db } = await database();
  const payeeId = text(formData, "payeeId");
  try {
    if (text(formData, "intent") === "delete") return { ok: await deletePayee(db, user, { payeeId }, await webMetadata(user)) };
    return { ok: (await renamePayee(db, user, { payeeId, name: text(formData, "name") }, await webMetadata(user))) !== undefined };
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, message: Object.values(error.fieldErrors).flat().join(" ") };
    throw error;
  }
}
