import "server-only";

import { depositMoney, openAccount, withdrawMoney, type AccountCommandResult } from "../../commands/accounts";
import { formattingOf } from "../../commands/profile";
import type { Database } from "../../db/client";
import { env } from "../../env";
import { describeRefusal, rejectionText } from "../../errors/messages";
import type { StoredReply } from "../../event-store/handle-command";
import { findAccountOwnedBy, isUuid, listAccountsOwnedBy, readStatementPage } from "../../read-models/accounts";
import { monthlyStatementFile } from "../../read-models/monthly-statement";
import { toApiAccount, toApiCommandEvent, toApiStatementEntry } from "../mappers";
import { operations, type Operation } from "../operations";
import { ApiProblem, rejectionProblemCode } from "../problem";
import { FileReply, problemReply, replyOf, successReply } from "../reply";
import type { Handler } from "../route";

export const accountNotFound = () => new ApiProblem("ACCOUNT_NOT_FOUND", "There is no such account of yours.");

/** The caller's own account, or 404 (someone else's account is "not found" too: no existence leak). */
export async function ownedAccount(db: Database, userId: string, accountId: string | undefined) {
  const row = await findAccountOwnedBy(db, userId, accountId);
  if (!row) throw accountNotFound();
  return row;
}

/**
 * An account command's answer: the account and the event, or (when the aggregate refused it and
 * recorded the refusal) a 422 problem with the rejection's code, carrying the recorded event. Built
 * inside the command's transaction from the row it wrote, and kept with the Idempotency-Key.
 */
export const accountCommandReply =
  (operation: Pick<Operation, "success">) =>
  (result: AccountCommandResult): StoredReply => {
    const row = result.summary;
    if (!row) throw new Error(`The command on account ${result.accountId} wrote no account_summary row`);
    const event = toApiCommandEvent(result.event);
    if (result.outcome === "rejected") {
      const code = String((result.event.data as { code?: unknown }).code ?? "");
      const detail =
        result.event.type === "DepositRejected" || result.event.type === "WithdrawalRejected"
          ? describeRefusal(result.event.event, row.currency)
          : `Refused: ${rejectionText(code)}.`;
      return problemReply(new ApiProblem(rejectionProblemCode(code), detail, { extensions: { event } }));
    }
    return successReply(operation, { account: toApiAccount(row), event });
  };

export const listAccounts: Handler<typeof operations.listAccounts> = async ({ ctx, user }) => ({
  accounts: (await listAccountsOwnedBy(ctx.db, user.id)).map(toApiAccount),
});

export const openAccountForUser: Handler<typeof operations.openAccount> = async ({ ctx, user, body, metadata, idempotency }) => {
  // With an Idempotency-Key the account's id is derived from it: a retry meets the same account.
  const result = await openAccount(ctx, { customerId: user.id, currency: body.currency, nickname: body.nickname }, metadata, {
    requestHash: idempotency?.requestHash,
    reply: (opened) => {
      if (!opened.summary) throw new Error(`Account ${opened.accountId} was opened but wrote no account_summary row`);
      return successReply(operations.openAccount, { account: toApiAccount(opened.summary) });
    },
  });
  return replyOf(result);
};

export const getAccount: Handler<typeof operations.getAccount> = async ({ ctx, user, params }) => ({
  account: toApiAccount(await ownedAccount(ctx.db, user.id, params.accountId)),
});

// Deposits and withdrawals check the token and ownership in the command's first round trip (the
// caller, and the owner on the state it loads), not with reads of their own first: two round trips
// less on the busiest routes.
/** SELF_SERVICE_DEPOSITS=false: money arrives only from the payment scheme. */
function assertSelfService(): void {
  if (!env().SELF_SERVICE_DEPOSITS) {
    throw new ApiProblem(
      "SELF_SERVICE_OFF",
      "Deposits and withdrawals are not offered by this bank: money arrives by payment to the account number.",
    );
  }
}

export const deposit: Handler<typeof operations.deposit> = async ({ ctx, caller, params, body, metadata, idempotency }) => {
  assertSelfService();
  const accountId = knownAccountId(params.accountId);
  const result = await depositMoney(ctx, { accountId, amount: body.amount, reference: body.reference }, metadata, {
    caller,
    requestHash: idempotency?.requestHash,
    reply: depositReply,
  });
  return replyOf(result);
};

export const withdraw: Handler<typeof operations.withdraw> = async ({ ctx, caller, params, body, metadata, idempotency }) => {
  assertSelfService();
  const accountId = knownAccountId(params.accountId);
  const result = await withdrawMoney(ctx, { accountId, amount: body.amount, reference: body.reference }, metadata, {
    caller,
    requestHash: idempotency?.requestHash,
    reply: withdrawalReply,
  });
  return replyOf(result);
};

const depositReply = accountCommandReply(operations.deposit);
const withdrawalReply = accountCommandReply(operations.withdraw);

/** A path id that cannot be an account is "not found", as one that is someone else's. */
function knownAccountId(accountId: string | undefined): string {
  if (!isUuid(accountId)) throw accountNotFound();
  return accountId;
}

export const statement: Handler<typeof operations.statement> = async ({ ctx, user, params, query }) => {
  const account = await ownedAccount(ctx.db, user.id, params.accountId);
  const { timeZone } = await formattingOf(ctx.db, user.id);
  const page = await readStatementPage(
    ctx.db,
    account.accountId,
    { kind: query.type ?? "all", from: query.from, to: query.to, timeZone, text: query.q, minAmount: query.minAmount, maxAmount: query.maxAmount },
    query.cursor,
    query.limit ?? 25,
  );
  return { entries: page.rows.map(toApiStatementEntry), nextCursor: page.nextCursor?.toString() ?? null };
};

/** GET /accounts/{id}/statements/{yyyy-mm}.pdf: Next hands the last segment over whole ("2026-11.pdf"). */
export const monthlyStatementPdf: Handler<typeof operations.monthlyStatementPdf> = async ({ ctx, user, params }) => {
  const row = await ownedAccount(ctx.db, user.id, params.accountId);
  const month = /^(.*)\.pdf$/.exec(params.month ?? "")?.[1];
  const file = await monthlyStatementFile(ctx.db, row, month, user.name, await formattingOf(ctx.db, user.id), new Date());
  return new FileReply("application/pdf", file.filename, file.bytes);
};
