import "server-only";
import { myFormatting } from "./formatting";
import { requestIds } from "../request-context";
import { randomUUID } from "node:crypto";
import { notFound } from "next/navigation";
import type { SessionUser } from "../auth/users";
import { isExternalNumber } from "../commands/payees";
import { ibanText, requestTransfer } from "../commands/transfers";
import { database } from "../db";
import { formatAccountNumber, normaliseAccountNumber } from "../domain/account/account-number";
import { ValidationError } from "../domain/shared/errors";
import { formatMoney, parseDecimalAmount } from "../domain/shared/money";
import { IdempotencyKeyReusedError } from "../event-store/errors";
import { driveTransfer } from "../process-managers/transfer-runner";
import { findAccountWithHolder } from "../read-models/accounts";
import { findPayeeFor } from "../read-models/payees";
import { decodeTransferCursor, findTransferFor, maskName, readTransferPage, type TransferDto, toTransferDto } from "../read-models/transfers";
import { findOwnedAccount } from "./accounts";
import { commandContext } from "./context";
import { currentUser, requireUser } from "./session";
import { log } from "../log";

export { maskName, TERMINAL_STATUSES, type TransferDto } from "../read-models/transfers";

/** A transfer the user sent or received; undefined otherwise (callers say "not found"). */
export async function findMyTransfer(user: SessionUser, transferId: unknown): Promise<TransferDto | undefined> {
  const { db } = await database();
  const row = await findTransferFor(db, user.id, transferId);
  return row ? toTransferDto(row, user.id) : undefined;
}

export async function getMyTransfer(transferId: string): Promise<TransferDto> {
  const user = await requireUser();
  const transfer = await findMyTransfer(user, transferId);
  if (!transfer) notFound();
  return transfer;
}

/** A page of the signed-in customer's transfers, newest first; a cursor that is not one of ours starts at the newest. */
export async function listMyTransfers(cursor?: string, limit = 25): Promise<{ transfers: TransferDto[]; nextCursor: string | null }> {
  const user = await requireUser();
  const { db } = await database();
  const page = await readTransferPage(db, user.id, { limit, before: cursor ? decodeTransferCursor(cursor) : undefined });
  return { transfers: page.rows.map((row) => toTransferDto(row, user.id)), nextCursor: page.nextCursor };
}

export type TransferFormValues = {
  fromAccountId: string;
  destination: "own" | "other" | "payee" | "bank";
  toAccountId: string;
  payeeId: string;
  toAccountNumber: string;
  /** Another bank: the IBAN and the account holder's name as the customer types them. */
  toIban: string;
  payeeName: string;
  amount: string;
  reference: string;
};

export type TransferFormState = {
  stage: "edit" | "confirm";
  commandId: string;
  values: TransferFormValues;
  fieldErrors?: Partial<Record<keyof TransferFormValues, string[]>>;
  message?: string;
  /** What the customer confirms: who gets how much, from which account. */
  review?: { amount: string; fromLabel: string; payeeName: string; payeeNumber: string; external?: boolean };
};

const text = (formData: FormData, key: string) => {
  const value = formData.get(key);
  return typeof value === "string" ? value : "";
};

const destinationOf = (value: string): TransferFormValues["destination"] =>
  value === "own" || value === "payee" || value === "bank" ? value : "other";

function readValues(formData: FormData): TransferFormValues {
  return {
    fromAccountId: text(formData, "fromAccountId"),
    destination: destinationOf(text(formData, "destination")),
    toAccountId: text(formData, "toAccountId"),
    payeeId: text(formData, "payeeId"),
    toAccountNumber: text(formData, "toAccountNumber"),
    toIban: text(formData, "toIban"),
    payeeName: text(formData, "payeeName"),
    amount: text(formData, "amount"),
    reference: text(formData, "reference"),
  };
}

/**
 * The transfer form: "review" checks everything and shows the payee's masked name; "confirm"
 * records the transfer under the form's command id (so a resent confirm makes one transfer) and
 * drives it as far as it goes at once. Returns the new transfer's id when one was made.
 */
export async function submitTransferForm(formData: FormData): Promise<TransferFormState | { transferId: string }> {
  const values = readValues(formData);
  const commandId = /^[0-9a-f-]{36}$/i.test(text(formData, "commandId")) ? text(formData, "commandId") : randomUUID();
  const base = { commandId, values };
  const user = await currentUser();
  if (!user) return { ...base, stage: "edit", message: "Your session has ended. Sign in again to continue." };
  if (text(formData, "intent") === "edit-again") return { ...base, stage: "edit" };
  const from = await findOwnedAccount(user, values.fromAccountId);
  if (!from) return { ...base, stage: "edit", fieldErrors: { fromAccountId: ["Choose one of your accounts to pay from."] } };
  const currency = from.currency;

  const fieldErrors: TransferFormState["fieldErrors"] = {};
  const parsed = parseDecimalAmount(values.amount, currency);
  if (!parsed.ok) fieldErrors.amount = [parsed.message];
  else if (parsed.amount === 0n) fieldErrors.amount = ["Enter an amount greater than zero."];

  if (values.destination === "bank") return submitExternalPayment(user, from, values, base, fieldErrors, parsed, text(formData, "intent"));

  const { db } = await database();
  if (values.destination === "payee") {
    // A payee saved with an IBAN is at another bank: paid through the scheme, to the name it was saved with.
    const saved = await findPayeeFor(db, user.id, values.payeeId);
    if (saved && isExternalNumber(saved.accountNumber)) {
      return submitExternalPayment(user, from, { ...values, toIban: saved.accountNumber, payeeName: saved.holderName }, base, fieldErrors, parsed, text(formData, "intent"));
    }
  }
  let destination: { accountId: string; number: string; currency: string; customerId: string; name: string | null; status: string } | undefined;
  if (values.destination === "own") {
    const own = await findOwnedAccount(user, values.toAccountId);
    if (!own) fieldErrors.toAccountId = ["Choose one of your accounts to pay into."];
    else destination = { ...own, name: own.nickname ?? `${own.currency} account` };
  } else {
    // A saved payee is paid by the account number it was saved with (and confirmed for).
    const payee = values.destination === "payee" ? await findPayeeFor(db, user.id, values.payeeId) : undefined;
    const number = payee ? payee.accountNumber : normaliseAccountNumber(values.toAccountNumber);
    if (values.destination === "payee" && !payee) fieldErrors.payeeId = ["Choose one of your saved payees."];
    else if (!number) fieldErrors.toAccountNumber = ["Enter the payee's account number, like LL12 3456 7890; check it for typos."];
    else {
      const found = await findAccountWithHolder(db, { number });
      destination = found && { ...found.account, name: found.holder?.name ?? null };
      if (!destination) fieldErrors.toAccountNumber = ["No account has that number."];
    }
  }
  if (destination && destination.accountId === from.accountId) fieldErrors.toAccountId = ["Choose a different account to pay into."];
  if (destination && destination.currency !== currency) {
    fieldErrors[values.destination === "own" ? "toAccountId" : values.destination === "payee" ? "payeeId" : "toAccountNumber"] = [
      `Transfers must stay in one currency: your account holds ${currency} and the payee's holds ${destination.currency}.`,
    ];
  }
  if (Object.keys(fieldErrors).length > 0 || !destination || !parsed.ok) return { ...base, stage: "edit", fieldErrors };

  const review = {
    amount: formatMoney(parsed.amount, currency, (await myFormatting()).locale),
    fromLabel: `${from.nickname ?? `${currency} account`} (${formatAccountNumber(from.number)})`,
    payeeName: destination.customerId === user.id ? (destination.name ?? "") : maskName(destination.name ?? "Ledgerline customer"),
    payeeNumber: formatAccountNumber(destination.number),
  };
  if (text(formData, "intent") !== "confirm") return { ...base, stage: "confirm", review };

  const ctx = await commandContext();
  const ids = await requestIds();
  try {
    const { transferId } = await requestTransfer(
      ctx,
      { fromAccountId: from.accountId, toAccountId: destination.accountId, amount: parsed.amount, reference: values.reference },
      { now: new Date(), actor: { id: user.id, role: user.role }, commandId, origin: "web", ...ids },
    );
    // Drive it now; if this process dies midway, the background runner or cron finishes it.
    await driveTransfer({ ctx, runnerId: `web-${process.pid}` }, transferId).catch((error: unknown) => {
      log().warn({ event: "transfer-runner", transferId, requestId: ids.requestId, err: error }, "transfer left for the background runner");
    });
    return { transferId };
  } catch (error) {
    return refused(error, base);
  }
}

function refused(error: unknown, base: { commandId: string; values: TransferFormValues }): TransferFormState {
  if (error instanceof ValidationError) return { ...base, stage: "edit", fieldErrors: error.fieldErrors as TransferFormState["fieldErrors"] };
  if (error instanceof IdempotencyKeyReusedError) {
    return { ...base, commandId: randomUUID(), stage: "edit", message: "This form was already sent with other details. Check your transfers before trying again." };
  }
  throw error;
}

/**
 * A payment to another bank: the command checks the IBAN and the name (a review shows them back,
 * unmasked: nobody here can confirm the payee), then it is screened, reserved and sent to the scheme.
 */
async function submitExternalPayment(
  user: SessionUser,
  from: NonNullable<Awaited<ReturnType<typeof findOwnedAccount>>>,
  values: TransferFormValues,
  base: { commandId: string; values: TransferFormValues },
  fieldErrors: NonNullable<TransferFormState["fieldErrors"]>,
  parsed: ReturnType<typeof parseDecimalAmount>,
  intent: string,
): Promise<TransferFormState | { transferId: string }> {
  const checked = ibanText.safeParse(values.toIban);
  const iban = checked.success ? checked.data : undefined;
  if (!iban) fieldErrors.toIban = [checked.error?.issues[0]?.message ?? "Enter the IBAN of the payee's account."];
  const name = values.payeeName.trim();
  if (name === "") fieldErrors.payeeName = ["Enter the name of the payee's account holder, as their bank knows it."];
  else if (name.length > 70) fieldErrors.payeeName = ["Payee's name can be at most 70 characters."];
  if (Object.keys(fieldErrors).length > 0 || !iban || !parsed.ok) return { ...base, stage: "edit", fieldErrors };
  const review = {
    amount: formatMoney(parsed.amount, from.currency),
    fromLabel: `${from.nickname ?? `${from.currency} account`} (${formatAccountNumber(from.number)})`,
    payeeName: name,
    payeeNumber: formatAccountNumber(iban),
    external: true,
  };
  if (intent !== "confirm") return { ...base, stage: "confirm", review };
  const ctx = await commandContext();
  const ids = await requestIds();
  try {
    const { transferId } = await requestTransfer(
      ctx,
      { fromAccountId: from.accountId, toIban: iban, payeeName: name, amount: parsed.amount, reference: values.reference },
      { now: new Date(), actor: { id: user.id, role: user.role }, commandId: base.commandId, origin: "web", ...ids },
    );
    await driveTransfer({ ctx, runnerId: `web-${process.pid}` }, transferId).catch((error: unknown) => {
      log().warn({ event: "transfer-runner", transferId, requestId: ids.requestId, err: error }, "payment left for the background runner");
    });
    return { transferId };
  } catch (error) {
    return refused(error, base);
  }
}
