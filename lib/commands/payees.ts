import { and, count, eq } from "drizzle-orm";
import { z } from "zod";

import type { Database } from "../db/client";
import { accountSummary, auditLog, payees, users, type PayeeRow } from "../db/schema";
import { normaliseAccountNumber } from "../domain/account/account-number";
import { identityEventCodec, USER_STREAM_TYPE, userStreamId, type IdentityEvent } from "../domain/identity/events";
import type { CommandMetadata } from "../domain/shared/decider";
import { ValidationError } from "../domain/shared/errors";
import { maskName } from "../domain/shared/mask";
import { decodeEvent } from "../event-store/read";
import { lockStream, recordFacts } from "../event-store/record";
import type { StoredEvent } from "../event-store/types";
import { identityAuditEntry } from "../projections/identity-projection";
import { createdId } from "./ids";
import { ibanText } from "./transfers";
import { idSchema, optionalText, parseInput, requiredText } from "./validation";

/** Most payees one customer may keep (a list to choose from, not an address book of the world). */
export const MAX_PAYEES = 50;
export const PAYEE_NAME_MAX = 60;

export const accountNumberField = z
  .string({ error: "Enter the payee's account number." })
  .max(40, "That is not a valid account number (like LL12 3456 7890); check it for typos.")
  .transform((value, ctx) => {
    const number = normaliseAccountNumber(value);
    if (!number) {
      ctx.addIssue({ code: "custom", message: "That is not a valid account number (like LL12 3456 7890); check it for typos." });
      return z.NEVER;
    }
    return number;
  });

/** How confirmation of payee shows a holder: as transfers show the other party ("Da** Wh*******"). */
export const maskHolderName = (name: string): string => maskName(name) || "***";

export type PayeeConfirmation = { readonly accountNumber: string; readonly holderName: string; readonly currency: string };

/** Confirmation of payee: the masked name of the holder of an open account, or a field error. */
export async function confirmPayee(db: Database, input: unknown): Promise<PayeeConfirmation> {
  const { accountNumber } = parseInput(z.object({ accountNumber: accountNumberField }), input);
  const rows = await db
    .select({ number: accountSummary.number, currency: accountSummary.currency, status: accountSummary.status, name: users.name })
    .from(accountSummary)
    .leftJoin(users, eq(users.id, accountSummary.customerId))
    .where(eq(accountSummary.number, accountNumber));
  const row = rows[0];
  if (!row) throw new ValidationError({ accountNumber: ["No account has that number."] });
  if (row.status === "Closed") throw new ValidationError({ accountNumber: ["That account is closed and cannot receive money."] });
  return { accountNumber: row.number, holderName: maskHolderName(row.name ?? "Ledgerline customer"), currency: row.currency };
}

export const addPayeeInput = z.object({
  name: requiredText("Payee name", PAYEE_NAME_MAX),
  accountNumber: accountNumberField.optional(),
  /** The masked name the customer was shown; when given, it must still be the holder's. */
  confirmedHolderName: z.string().max(200).optional(),
  /** Instead of accountNumber: an account at another bank, with its holder's name as the customer gives it. */
  iban: ibanText.optional(),
  holderName: optionalText("Account holder's name", 70),
});

/** Whether a saved payee's number is an account at another bank (an IBAN, not one of ours). */
export const isExternalNumber = (accountNumber: string): boolean => normaliseAccountNumber(accountNumber) === null;

type Owner = { readonly id: string };

async function record(tx: Database, owner: Owner, event: IdentityEvent, metadata: CommandMetadata): Promise<void> {
  const raw = await recordFacts(tx, {
    streamId: userStreamId(owner.id),
    streamType: USER_STREAM_TYPE,
    events: [identityEventCodec.encode(event)],
    metadata,
  });
  const rows = raw.map((stored) => identityAuditEntry(decodeEvent(identityEventCodec, stored) as StoredEvent<IdentityEvent>));
  if (rows.length > 0) await tx.insert(auditLog).values(rows);
}

/** Locks the customer's stream row: payee changes of one customer queue, so the cap holds across instances. */
const lockOwner = (tx: Database, owner: Owner) => lockStream(tx, userStreamId(owner.id));

/**
 * Saves a payee after confirmation of payee, as PayeeAdded on the customer's stream, in one
 * transaction. The id comes from the command id, so a resent form meets the payee it saved.
 */
export async function addPayee(db: Database, owner: Owner, input: unknown, metadata: CommandMetadata): Promise<PayeeRow> {
  const data = parseInput(addPayeeInput, input);
  if (data.iban !== undefined && data.accountNumber !== undefined) {
    throw new ValidationError({ iban: ["Give an account number here or an IBAN at another bank, not both."] });
  }
  if (data.iban === undefined && data.accountNumber === undefined)
    throw new ValidationError({ accountNumber: ["Enter the payee's account number."] });
  if (data.iban !== undefined && !data.holderName) {
    throw new ValidationError({ holderName: ["Enter the name of the account holder, as their bank knows it."] });
  }
  // Another bank's account cannot be confirmed here: the holder's name is the one the customer gave.
  const confirmation =
    data.iban !== undefined
      ? { accountNumber: data.iban, holderName: data.holderName ?? "" }
      : await confirmPayee(db, { accountNumber: data.accountNumber });
  if (data.iban === undefined && data.confirmedHolderName !== undefined && data.confirmedHolderName !== confirmation.holderName) {
    throw new ValidationError({ accountNumber: ["The account's holder is not the one you were shown; look the number up again."] });
  }
  const payeeId = createdId("payee", metadata);
  return db.transaction(async (tx) => {
    await lockOwner(tx, owner);
    const existing = await tx.select().from(payees).where(eq(payees.payeeId, payeeId));
    if (existing[0]) {
      if (existing[0].ownerId !== owner.id) throw new ValidationError({ _form: ["This request was already used."] });
      return existing[0];
    }
    const [{ value: held } = { value: 0 }] = await tx.select({ value: count() }).from(payees).where(eq(payees.ownerId, owner.id));
    if (held >= MAX_PAYEES) throw new ValidationError({ _form: [`You can keep at most ${MAX_PAYEES} payees; delete one you no longer pay first.`] });
    const row: PayeeRow = {
      payeeId,
      ownerId: owner.id,
      name: data.name,
      accountNumber: confirmation.accountNumber,
      holderName: confirmation.holderName,
      createdAt: metadata.now,
      updatedAt: metadata.now,
    };
    const inserted = await tx.insert(payees).values(row).onConflictDoNothing().returning({ payeeId: payees.payeeId });
    if (inserted.length === 0) throw new ValidationError({ accountNumber: ["You have already saved a payee with this account number."] });
    await record(
      tx,
      owner,
      { type: "PayeeAdded", data: { payeeId, name: row.name, accountNumber: row.accountNumber, holderName: row.holderName } },
      metadata,
    );
    return row;
  });
}

/** Renames one of the owner's payees; undefined when they have no such payee (nothing recorded). */
export async function renamePayee(db: Database, owner: Owner, input: unknown, metadata: CommandMetadata): Promise<PayeeRow | undefined> {
  const { payeeId, name } = parseInput(z.object({ payeeId: idSchema, name: requiredText("Payee name", PAYEE_NAME_MAX) }), input);
  return db.transaction(async (tx) => {
    await lockOwner(tx, owner);
    const [before] = await tx
      .select()
      .from(payees)
      .where(and(eq(payees.payeeId, payeeId), eq(payees.ownerId, owner.id)));
    if (!before) return undefined;
    if (before.name === name) return before;
    const [after] = await tx
      .update(payees)
      .set({ name, updatedAt: metadata.now })
      .where(and(eq(payees.payeeId, payeeId), eq(payees.ownerId, owner.id)))
      .returning();
    await record(tx, owner, { type: "PayeeRenamed", data: { payeeId, from: before.name, to: name } }, metadata);
    return after;
  });
}

/** Deletes one of the owner's payees; false when there was none (nothing recorded). Orders already set up keep paying the account. */
export async function deletePayee(db: Database, owner: Owner, input: unknown, metadata: CommandMetadata): Promise<boolean> {
  const { payeeId } = parseInput(z.object({ payeeId: idSchema }), input);
  return db.transaction(async (tx) => {
    await lockOwner(tx, owner);
    const [gone] = await tx
      .delete(payees)
      .where(and(eq(payees.payeeId, payeeId), eq(payees.ownerId, owner.id)))
      .returning();
    if (!gone) return false;
    await record(tx, owner, { type: "PayeeDeleted", data: { payeeId, name: gone.name, accountNumber: gone.accountNumber } }, metadata);
    return true;
  });
}
