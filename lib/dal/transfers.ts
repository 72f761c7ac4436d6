import "server-only";

import { notFound } from "next/navigation";

import type { SessionUser } from "../auth/users";
import type { CommandContext } from "../commands/accounts";
import { isExternalNumber } from "../commands/payees";
import { previewTransfer, requestTransfer, type TransferPreview, type TransferRequestInput } from "../commands/transfers";
import { database } from "../db";
import { formatAccountNumber } from "../domain/account/account-number";
import type { CommandMetadata } from "../domain/shared/decider";
import { ValidationError } from "../domain/shared/errors";
import { formatMoney } from "../domain/shared/money";
import { log } from "../log";
import { driveTransfer } from "../process-managers/transfer-runner";
import { findPayeeFor } from "../read-models/payees";
import { decodeTransferCursor, findTransferFor, maskName, readTransferPage, toTransferDto, type TransferDto } from "../read-models/transfers";
import { readAmountText } from "./account-commands";
import { findOwnedAccount } from "./accounts";
import { commandContext } from "./context";
import { fieldError, formCommand, formText, formValues } from "./form";
import { myFormatting } from "./formatting";
import { requireUser } from "./session";

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

const destinationOf = (value: string): TransferFormValues["destination"] =>
  value === "own" || value === "payee" || value === "bank" ? value : "other";

const FIELDS = ["fromAccountId", "destination", "toAccountId", "payeeId", "toAccountNumber", "toIban", "payeeName", "amount", "reference"] as const;

function readValues(formData: FormData): TransferFormValues {
  const values = formValues(formData, FIELDS);
  return { ...values, destination: destinationOf(values.destination) };
}

type Outcome = { stage: "edit" } | { stage: "confirm"; review: NonNullable<TransferFormState["review"]> } | { transferId: string };

/**
 * The transfer form: "review" checks everything the request will check and shows the payee's masked
 * name; "confirm" records the transfer under the form's command id (so a resent confirm makes one
 * transfer) and drives it as far as it goes at once. Returns the new transfer's id when one was made.
 */
export async function submitTransferForm(formData: FormData): Promise<TransferFormState | { transferId: string }> {
  const values = readValues(formData);
  const intent = formText(formData, "intent");
  const outcome = await formCommand<Outcome>(formData, {
    // The first step only reviews: a form without an id gets one, which its confirm then carries.
    commandId: "draw",
    check: "your transfers",
    async run({ user, metadata }) {
      if (intent === "edit-again") return { stage: "edit" };
      const ctx = await commandContext();
      const request = await transferRequestOf(user, values);
      // A confirm the form's own checks let through goes straight to the request, which checks the rest.
      if (intent === "confirm" && !request.problems) return { transferId: await inFormWords(sendTransfer(ctx, request.input, metadata), request) };
      const preview = await inFormWords(previewTransfer(ctx, request.input), request);
      if (request.problems) throw new ValidationError(request.problems);
      return { stage: "confirm", review: await reviewOf(user, request, preview) };
    },
  });
  if (!outcome.ok) {
    const base = { stage: "edit" as const, commandId: outcome.commandId, values };
    return outcome.kind === "invalid" ? { ...base, fieldErrors: outcome.fieldErrors } : { ...base, message: outcome.message };
  }
  return "transferId" in outcome.value ? outcome.value : { ...outcome.value, commandId: outcome.commandId, values };
}

type FormFieldErrors = NonNullable<TransferFormState["fieldErrors"]>;

/** The customer's choices as the command's input, and what the form itself found wrong with them. */
type FormRequest = {
  input: TransferRequestInput;
  destination: TransferFormValues["destination"];
  from: NonNullable<Awaited<ReturnType<typeof findOwnedAccount>>>;
  /** The account paid into when it is one of the customer's own (the review names it by its label). */
  own?: NonNullable<Awaited<ReturnType<typeof findOwnedAccount>>>;
  problems?: FormFieldErrors;
};

/**
 * Turns the form into a request: the accounts and payees it names must be the customer's own (a
 * check for this edge, not a transfer rule), the amount is typed in decimals, and the field of the
 * chosen destination must be filled in. Every rule of the transfer itself is the command's.
 */
async function transferRequestOf(user: SessionUser, values: TransferFormValues): Promise<FormRequest> {
  const from = await findOwnedAccount(user, values.fromAccountId);
  // Nothing else is worth checking from an account that is not theirs.
  if (!from) throw fieldError("fromAccountId", "Choose one of your accounts to pay from.");
  const problems: FormFieldErrors = {};
  const amount = readAmountText(values.amount, from.currency);
  if (!amount.ok) problems.amount = [amount.message];
  const input: TransferRequestInput = {
    fromAccountId: from.accountId,
    // The amount's problem is said in the form's words; with a stand-in the request's other checks
    // still run, so every problem shows at once.
    amount: amount.ok ? amount.amount : 1n,
    reference: values.reference,
  };
  let own: FormRequest["own"];
  if (values.destination === "own") {
    own = await findOwnedAccount(user, values.toAccountId);
    if (own) input.toAccountId = own.accountId;
    else problems.toAccountId = ["Choose one of your accounts to pay into."];
  } else if (values.destination === "payee") {
    const { db } = await database();
    const payee = await findPayeeFor(db, user.id, values.payeeId);
    if (!payee) problems.payeeId = ["Choose one of your saved payees."];
    // A payee saved with an IBAN is at another bank: paid through the scheme, to the name it was saved with.
    else if (isExternalNumber(payee.accountNumber)) Object.assign(input, { toIban: payee.accountNumber, payeeName: payee.holderName });
    // One of ours is paid by the account number it was saved with (and confirmed for).
    else input.toAccountNumber = payee.accountNumber;
  } else if (values.destination === "bank") {
    if (values.toIban.trim() === "") problems.toIban = ["Enter the IBAN of the payee's account."];
    else Object.assign(input, { toIban: values.toIban, payeeName: values.payeeName });
  } else {
    if (values.toAccountNumber.trim() === "")
      problems.toAccountNumber = ["Enter the payee's account number, like LL12 3456 7890; check it for typos."];
    else input.toAccountNumber = values.toAccountNumber;
  }
  return { input, destination: values.destination, from, own, problems: Object.keys(problems).length > 0 ? problems : undefined };
}

/** Where the form shows a field the command names: a destination's problem at the destination the customer chose. */
const DESTINATION_FIELD = { own: "toAccountId", payee: "payeeId", other: "toAccountNumber", bank: "toIban" } as const;

/**
 * The command's field errors on the form's fields, with the form's own problems (said in its words)
 * put over them. Any other failure passes through.
 */
async function inFormWords<T>(step: Promise<T>, request: FormRequest): Promise<T> {
  try {
    return await step;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const fieldErrors: Record<string, string[]> = {};
    for (const [field, messages] of Object.entries(error.fieldErrors)) {
      const shown =
        field === "toAccountId" || field === "toAccountNumber" || field === "toIban"
          ? DESTINATION_FIELD[request.destination]
          : field === "payeeName" && request.destination === "payee"
            ? "payeeId"
            : field;
      (fieldErrors[shown] ??= []).push(...(messages ?? []));
    }
    throw new ValidationError({ ...fieldErrors, ...request.problems });
  }
}

/** What the customer confirms: the request as the command would record it, in their words. */
async function reviewOf(user: SessionUser, request: FormRequest, preview: TransferPreview): Promise<NonNullable<TransferFormState["review"]>> {
  const { from, own } = request;
  const label = (account: typeof from) => account.nickname ?? `${account.currency} account`;
  // Nobody here can confirm who holds an account at another bank: the name is shown as given.
  const payeeName = preview.external
    ? preview.to.name
    : own
      ? label(own)
      : preview.to.customerId === user.id
        ? preview.to.name
        : maskName(preview.to.name);
  return {
    amount: formatMoney(preview.amount, preview.currency, (await myFormatting()).locale),
    fromLabel: `${label(from)} (${formatAccountNumber(from.number)})`,
    payeeName,
    payeeNumber: formatAccountNumber(preview.to.number),
    ...(preview.external ? { external: true } : {}),
  };
}

/** Records the transfer and drives it now; if this process dies midway, the background runner or cron finishes it. */
async function sendTransfer(ctx: CommandContext, input: TransferRequestInput, metadata: CommandMetadata): Promise<string> {
  const { transferId } = await requestTransfer(ctx, input, metadata);
  await driveTransfer({ ctx, runnerId: `web-${process.pid}` }, transferId).catch((error: unknown) => {
    const what = input.toIban === undefined ? "transfer" : "payment";
    log().warn({ event: "transfer-runner", transferId, requestId: metadata.requestId, err: error }, `${what} left for the background runner`);
  });
  return transferId;
}
