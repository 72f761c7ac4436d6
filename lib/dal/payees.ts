import "server-only";
import { randomUUID } from "node:crypto";
import { addPayee, confirmPayee, deletePayee, renamePayee } from "../commands/payees";
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
  values: { name: string; accountNumber: string };
  fieldErrors?: Partial<Record<"name" | "accountNumber" | "_form", string[]>>;
  message?: string;
  /** Confirmation of payee: the holder's masked name, shown before anything is saved. */
  holderName?: string;
};

/**
 * Adding a payee: "check" looks the number up and shows the holder's masked name; "save" records
 * the payee under the form's command id (a resent form saves once), provided the holder is still
 * the one shown.
 */
export async function submitPayeeForm(formData: FormData): Promise<PayeeFormState> {
  const values = { name: text(formData, "name"), accountNumber: text(formData, "accountNumber") };
  const commandId = /^[0-9a-f-]{36}$/i.test(text(formData, "commandId")) ? text(formData, "commandId") : randomUUID();
  const base = { commandId, values };
  const user = await currentUser();
  if (!user) return { ...base, stage: "edit", message: "Your session has ended. Sign in again to continue." };
  if (text(formData, "intent") === "edit-again") return { ...base, stage: "edit" };
  const { db } = await database();
  try {
    if (values.name.trim() === "") throw new ValidationError({ name: ["Give the payee a name you will recognise."] });
    const confirmation = await confirmPayee(db, { accountNumber: values.accountNumber });
    const checked = { ...values, accountNumber: formatAccountNumber(confirmation.accountNumber) };
    if (text(formData, "intent") !== "save") return { ...base, values: checked, stage: "confirm", holderName: confirmation.holderName };
    await addPayee(db, user, { ...values, confirmedHolderName: text(formData, "holderName") }, await webMetadata(user, commandId));
    return { commandId: randomUUID(), values: { name: "", accountNumber: "" }, stage: "saved", message: `Saved ${values.name.trim()}.` };
  } catch (error) {
    if (error instanceof ValidationError) return { ...base, stage: "edit", fieldErrors: error.fieldErrors };
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
