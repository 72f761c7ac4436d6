import { toColumnJson } from "../db/rows";
import { notifications, type AccountSummaryRow, type NotificationRow, type StandingOrderRow, type TransferViewRow } from "../db/schema";
import { statement, type Statement } from "../db/statement";
import { formatAccountNumber } from "../domain/account/account-number";
import { USER_STREAM_TYPE, userStreams, type IdentityEvent } from "../domain/identity/events";
import type { NotificationKind } from "../domain/notification/kinds";
import { markMoney } from "../domain/shared/money";
import type { StoredEvent } from "../event-store/types";
import type { AccountStoredEvent } from "./account-projection";
import type { OrderStoredEvent } from "./order-projection";
import type { TransferStoredEvent } from "./transfer-projection";

/**
 * The customer's inbox as a pure function of events: (row after the event, event) -> at most one
 * notification, for the one customer the event matters to. Bodies never carry what the portal
 * hides from customers (an admin's reason, a sanctions match). The id is the event's, so one fact
 * is one notification whatever retries happen.
 */
function draft(
  event: StoredEvent<{ type: string; data: unknown }>,
  userId: string,
  kind: NotificationKind,
  title: string,
  body: string,
  link: string | null,
): NotificationRow {
  return {
    notificationId: event.eventId,
    userId,
    kind,
    title,
    body,
    link,
    globalPosition: event.globalPosition,
    createdAt: event.recordedAt,
    readAt: null,
  };
}

// Marked, not formatted: the inbox and the mail show it in the reader's locale (formatMarkedMoney).
const money = markMoney;

export function accountNotification(summary: AccountSummaryRow, event: AccountStoredEvent): NotificationRow | undefined {
  const e = event.event;
  const account = `account ${formatAccountNumber(summary.number)}`;
  const link = `/accounts/${summary.accountId}`;
  switch (e.type) {
    case "MoneyDeposited":
      return draft(
        event,
        summary.customerId,
        "money-received",
        "Money received",
        `${money(e.data.amount, summary.currency)} was deposited to ${account}.`,
        link,
      );
    case "TransferCredited":
      return draft(
        event,
        summary.customerId,
        "money-received",
        "Money received",
        `${money(e.data.amount, summary.currency)} arrived on ${account} from ${e.data.counterparty.name}${e.data.reference ? ` (${e.data.reference})` : ""}.`,
        link,
      );
    case "AccountFrozen":
      return draft(
        event,
        summary.customerId,
        "account-frozen",
        "Account frozen",
        `Your ${account} was frozen: no money can move in or out until it is unfrozen.`,
        link,
      );
    case "AccountUnfrozen":
      return draft(event, summary.customerId, "account-unfrozen", "Account unfrozen", `Your ${account} can be used again.`, link);
    default:
      return undefined;
  }
}

export function transferNotification(row: TransferViewRow, event: TransferStoredEvent): NotificationRow | undefined {
  const amount = money(row.amount, row.currency);
  const to = `${row.toName} (${formatAccountNumber(row.toNumber)})`;
  const link = `/transfers/${row.transferId}`;
  switch (event.event.type) {
    case "TransferCompleted":
      return draft(event, row.fromCustomerId, "transfer-completed", "Transfer completed", `Your transfer of ${amount} to ${to} is complete.`, link);
    case "TransferFailed":
      return draft(
        event,
        row.fromCustomerId,
        "transfer-failed",
        "Transfer failed",
        `Your transfer of ${amount} to ${to} did not go through; no money left your account.`,
        link,
      );
    case "TransferHeld":
      return draft(
        event,
        row.fromCustomerId,
        "transfer-held",
        "Transfer held for review",
        `Your transfer of ${amount} to ${to} is being reviewed by the bank before it runs.`,
        link,
      );
    default:
      return undefined;
  }
}

export function orderNotification(row: StandingOrderRow, event: OrderStoredEvent): NotificationRow | undefined {
  if (event.event.type !== "OrderPaymentFailed") return undefined;
  return draft(
    event,
    row.ownerId,
    "order-payment-failed",
    "Standing order payment failed",
    `The payment of ${money(row.amount, row.currency)} to ${row.payeeName} due ${event.event.data.dueAt.slice(0, 10)} could not be made.`,
    `/orders/${row.orderId}`,
  );
}

/** `newDevice`: the sign-in came from a browser this user had not signed in from before. */
export function identityNotification(event: StoredEvent<IdentityEvent>, options: { newDevice?: boolean } = {}): NotificationRow | undefined {
  if (event.streamType !== USER_STREAM_TYPE) return undefined;
  const userId = userStreams.idOf(event.streamId);
  const e = event.event;
  switch (e.type) {
    case "SessionStarted":
      if (!options.newDevice) return undefined;
      return draft(
        event,
        userId,
        "new-device-sign-in",
        "Sign-in from a new device",
        `Someone signed in to your account from ${e.data.userAgent || "an unknown browser"}. If it was not you, end that session and change your password.`,
        "/settings/sessions",
      );
    case "PasswordChanged":
      return draft(
        event,
        userId,
        "security-changed",
        "Password changed",
        "Your password was changed. If you did not do this, reset it at once.",
        "/settings/security",
      );
    case "SecondFactorEnrolled":
      return draft(
        event,
        userId,
        "security-changed",
        "Second factor set up",
        "An authenticator app now protects your sign-in.",
        "/settings/security",
      );
    case "SecondFactorRemoved":
      return draft(
        event,
        userId,
        "security-changed",
        "Second factor removed",
        "Your sign-in no longer asks for an authenticator code.",
        "/settings/security",
      );
    case "PasskeyRegistered":
      return draft(
        event,
        userId,
        "security-changed",
        "Passkey added",
        `A passkey "${e.data.name}" can now sign you in. If you did not add it, remove it at once.`,
        "/settings/security",
      );
    case "PasskeyRemoved":
      return draft(
        event,
        userId,
        "security-changed",
        "Passkey removed",
        `The passkey "${e.data.name}" can no longer sign you in.`,
        "/settings/security",
      );
    case "ApiTokenIssued":
      return draft(
        event,
        userId,
        "token-created",
        "API token created",
        `A new API token "${e.data.name}" (${e.data.prefix}…) can act for you until ${e.data.expiresAt.slice(0, 10)}.`,
        "/settings/tokens",
      );
    default:
      return undefined;
  }
}

const INSERT_NOTIFICATIONS =
  "insert into notifications select * from jsonb_populate_recordset(null::notifications, $1::jsonb) on conflict do nothing";
// A mail for each notification whose kind its user asked to have by email, to their verified
// address, in the same transaction: the outbox row exists exactly when the fact does. The mail's id
// comes from the notification's, so a fact is mailed once.
const QUEUE_MAILS = `insert into mail_outbox (mail_id, user_id, to_address, template, data, status, attempts, next_attempt_at, created_at)
  select 'notification:' || n.notification_id, n.user_id, u.email, 'notification',
         jsonb_build_object('kind', n.kind, 'title', n.title, 'body', n.body, 'link', n.link, 'locale', u.locale), 'pending', 0, n.created_at, n.created_at
    from jsonb_populate_recordset(null::notifications, $1::jsonb) n
    join users u on u.id = n.user_id and u.email_verified_at is not null
    join notification_preferences p on p.user_id = n.user_id and p.kind = n.kind and p.email
  on conflict do nothing`;

/** The writes for some notifications: the inbox rows and their mails. Nothing for none. */
export function notificationWrites(rows: readonly (NotificationRow | undefined)[]): Statement[] {
  const present = rows.filter((row): row is NotificationRow => row !== undefined);
  if (present.length === 0) return [];
  const json = JSON.stringify(present.map((row) => toColumnJson(notifications, row)));
  return [statement(INSERT_NOTIFICATIONS, json), statement(QUEUE_MAILS, json)];
}
