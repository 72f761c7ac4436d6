import { z } from "zod";

import { TOKEN_SCOPES } from "../auth/api-tokens";
import { emailSchema, signUpSchema } from "../auth/users";
import { freezeInput, moneyInput, openAccountInput, reasonInput } from "../commands/accounts";
import { inboundPaymentFields, inboundReviewSchema } from "../commands/inbound-payments";
import { editOrderFields, orderInputFields } from "../commands/orders";
import { addPayeeInput, PAYEE_NAME_MAX } from "../commands/payees";
import { accountNumberText, ibanText, reviewSchema, schemeReturnSchema, schemeSettleSchema, transferRequestFields } from "../commands/transfers";
import { idSchema, requiredText } from "../commands/validation";
import { ROLES } from "../domain/identity/events";
import { CURRENCY_CODES } from "../domain/shared/currency";
import { decodeFeedCursor } from "../event-store/feed";
import { START_OF_LOG } from "../event-store/read";
import { STATEMENT_KINDS, STATEMENT_TEXT_MAX, statementTsQuery } from "../read-models/accounts";
import { PROBLEM_CODES } from "./problem";

// The API's request and response schemas. Request bodies are built from the command layer's own zod
// schemas (the rules live there, once); the API only makes them strict (unknown fields are errors) and
// drops what the URL or the token supplies. The OpenAPI document (./openapi.ts) is generated from
// these same objects, so the document cannot drift from what the routes accept.

/** Limits that shape the schemas, from configuration. */
export type Limits = { readonly maxAmount: bigint; readonly maxTransferAmount: bigint };

/**
 * JSON Schema to show in the OpenAPI document instead of what zod would derive (for values zod
 * cannot describe, such as the amount's transform or bigints).
 */
export const jsonSchemaOverrides = z.registry<{ jsonSchema: Record<string, unknown> }>();

function describedAs<Schema extends z.ZodType>(schema: Schema, jsonSchema: Record<string, unknown>): Schema {
  jsonSchemaOverrides.add(schema, { jsonSchema });
  return schema;
}

const amountJsonSchema = (max: bigint) => ({
  description: "A positive whole number of minor units (cents for EUR, yen for JPY): a JSON integer or a string of digits.",
  oneOf: [
    { type: "integer", minimum: 1, maximum: Number(max) },
    { type: "string", pattern: "^[0-9]{1,30}$" },
  ],
  examples: [2500],
});

// ---------------------------------------------------------------- request bodies

export const signUpBody = () => signUpSchema.strict();

export const tokenBody = () =>
  z.strictObject({
    email: emailSchema,
    password: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(1024, "That password is too long."),
    /** The six digits of the authenticator app (or a recovery code), for an account with a second factor. */
    code: z.string().max(40, "That code is too long.").optional(),
    scope: z.enum(TOKEN_SCOPES, { error: "scope is full, read or webhooks." }).optional().meta({
      description:
        "What the token may do: full (default), read (GET only) or webhooks (read, and manage webhooks). Only a full token can move money.",
    }),
  });

export const openAccountBody = () => openAccountInput.omit({ customerId: true }).strict();

export const moneyBody = (limits: Limits) => {
  const schema = moneyInput(limits.maxAmount).omit({ accountId: true }).strict();
  describedAs(schema.shape.amount, amountJsonSchema(limits.maxAmount));
  return schema;
};

export const transferBody = (limits: Limits) => {
  const fields = transferRequestFields(limits.maxTransferAmount).shape;
  const schema = z.strictObject({
    fromAccountId: fields.fromAccountId,
    toAccountNumber: z
      .string({ error: "Enter the payee's account number." })
      .min(1, "Enter the payee's account number.")
      .max(64, "An account number has at most 64 characters.")
      // The command's own normalisation and check.
      .pipe(accountNumberText)
      .optional(),
    toIban: z.string({ error: "Enter the IBAN of the payee's account." }).min(1, "Enter the IBAN of the payee's account.").pipe(ibanText).optional(),
    payeeName: fields.payeeName,
    amount: fields.amount,
    reference: fields.reference,
  });
  describedAs(schema.shape.toIban, {
    type: "string",
    maxLength: 64,
    description:
      "Instead of toAccountNumber: the IBAN of an account at another bank (with or without spaces; its check digits are verified). The payment goes through the payment scheme; payeeName is then required.",
    examples: ["DE89 3704 0044 0532 0130 00"],
  });
  describedAs(fields.amount, amountJsonSchema(limits.maxTransferAmount));
  describedAs(schema.shape.toAccountNumber, {
    type: "string",
    description: "The payee's account number, with or without spaces (LL12 3456 7890 or LL1234567890).",
    examples: ["LL12 3456 7890"],
  });
  // A request with no destination says so along with its other fields' problems.
  return schema.refine((body) => body.toAccountNumber !== undefined || body.toIban !== undefined, {
    path: ["toAccountNumber"],
    message: "Enter the payee's account number (or toIban for an account at another bank).",
    when: (payload) => typeof payload.value === "object" && payload.value !== null,
  });
};

export const freezeBody = () => z.strictObject({ reason: freezeInput.shape.reason, category: freezeInput.shape.category.default("other") });

export const reasonBody = () => reasonInput.omit({ accountId: true }).strict();

export const reviewBody = () => reviewSchema.omit({ transferId: true }).strict();

export const payeeBody = () => {
  const schema = addPayeeInput.strict();
  describedAs(schema.shape.accountNumber, {
    type: "string",
    description:
      "The payee's account number, with or without spaces. Look it up first with GET /payees/confirmation to see the holder's masked name.",
    examples: ["LL12 3456 7890"],
  });
  describedAs(schema.shape.iban, {
    type: "string",
    maxLength: 64,
    description:
      "Instead of accountNumber: the IBAN of an account at another bank (check digits verified), with holderName (at most 70 characters), which cannot be confirmed here. Paying the payee then goes through the payment scheme.",
    examples: ["DE89 3704 0044 0532 0130 00"],
  });
  return schema;
};

export const renamePayeeBody = () => z.strictObject({ name: requiredText("Payee name", PAYEE_NAME_MAX) });

const scheduleJsonSchema = {
  description:
    "When to pay, as local dates (YYYY-MM-DD) in timeZone, each paid at 06:00 local time. once: {kind, date}. weekly: {kind, startDate, endDate?, count?}. monthly: {kind, startDate, dayOfMonth (1-31; a shorter month pays on its last day), endDate?, count?}.",
  oneOf: [
    { type: "object", required: ["kind", "date"], properties: { kind: { const: "once" }, date: { type: "string", format: "date" } } },
    {
      type: "object",
      required: ["kind", "startDate"],
      properties: {
        kind: { const: "weekly" },
        startDate: { type: "string", format: "date" },
        endDate: { type: "string", format: "date" },
        count: { type: "integer", minimum: 1, maximum: 520 },
      },
    },
    {
      type: "object",
      required: ["kind", "startDate", "dayOfMonth"],
      properties: {
        kind: { const: "monthly" },
        startDate: { type: "string", format: "date" },
        dayOfMonth: { type: "integer", minimum: 1, maximum: 31 },
        endDate: { type: "string", format: "date" },
        count: { type: "integer", minimum: 1, maximum: 520 },
      },
    },
  ],
};

export const orderBody = (limits: Limits) => {
  const fields = orderInputFields(limits.maxTransferAmount).shape;
  const schema = z.strictObject({ ...fields, schedule: fields.schedule });
  describedAs(fields.amount, amountJsonSchema(limits.maxTransferAmount));
  describedAs(fields.schedule, scheduleJsonSchema);
  describedAs(fields.payeeId, { type: "string", format: "uuid", description: "One of your saved payees (or give toAccountNumber)." });
  describedAs(fields.toAccountNumber, {
    type: "string",
    description: "The account number to pay, when not a saved payee.",
    examples: ["LL12 3456 7890"],
  });
  describedAs(fields.timeZone, { type: "string", description: "IANA time zone the dates are read in.", examples: ["Europe/Berlin"] });
  return schema;
};

export const editOrderBody = (limits: Limits) => {
  const schema = editOrderFields(limits.maxTransferAmount).strict();
  describedAs(schema.shape.amount, amountJsonSchema(limits.maxTransferAmount));
  describedAs(schema.shape.schedule, scheduleJsonSchema);
  return schema;
};

export const schemeBody = () => z.strictObject({ name: requiredText("Name", 100) });

export const inboundReviewBody = () => inboundReviewSchema.omit({ paymentId: true }).strict();

export const inboundPaymentBody = (limits: Limits) => {
  const schema = inboundPaymentFields(limits.maxTransferAmount).strict();
  describedAs(schema.shape.amount, amountJsonSchema(limits.maxTransferAmount));
  describedAs(schema.shape.accountNumber, {
    type: "string",
    maxLength: 34,
    description: "The creditor's Ledgerline account number (LL12 3456 7890); a number no account has is returned, not refused.",
    examples: ["LL12 3456 7890"],
  });
  return schema;
};

/** Bodiless POSTs accept nothing or `{}`. */
export const emptyBody = () => z.strictObject({});

// ---------------------------------------------------------------- query strings

/** The event feed's opaque cursor (the nextCursor of the previous page). */
const feedCursor = describedAs(
  z
    .string()
    .max(64, "This is not a cursor this API gave out.")
    .transform((value, context) => {
      const checkpoint = decodeFeedCursor(value);
      if (!checkpoint) context.addIssue({ code: "custom", message: "This is not a cursor this API gave out." });
      return checkpoint ?? START_OF_LOG;
    })
    .optional(),
  { type: "string", maxLength: 64, description: "Where to continue: the nextCursor of the previous page. Leave it out to start at the beginning." },
);

export const eventFeedQuery = () => z.strictObject({ after: feedCursor, limit: queryInteger("limit", 1000) });

function queryInteger(name: string, max: number) {
  return describedAs(
    z
      .string()
      .regex(/^[0-9]{1,6}$/, `${name} must be a whole number from 1 to ${max}.`)
      .transform(Number)
      .refine((value) => value >= 1 && value <= max, `${name} must be a whole number from 1 to ${max}.`)
      .optional(),
    { type: "integer", minimum: 1, maximum: max },
  );
}

const positionCursor = describedAs(
  z
    .string()
    .regex(/^[0-9]{1,18}$/, "This is not a cursor this API gave out.")
    .transform((value) => BigInt(value))
    .optional(),
  { type: "string", description: "The nextCursor of the previous page.", pattern: "^[0-9]{1,18}$" },
);

const isoDate = z.iso.date({ error: "Use a date like 2026-11-23." });
const isoDateOrTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: "Use a date like 2026-11-23 or a time like 2026-11-23T09:30:00Z.",
});

const minorUnitsQuery = (name: string) =>
  describedAs(
    z
      .string()
      .regex(/^[0-9]{1,15}$/, `${name} must be a whole number of minor units (cents), at most 15 digits.`)
      .transform((value) => BigInt(value))
      .optional(),
    {
      type: "string",
      pattern: "^[0-9]{1,15}$",
      description: `${name === "minAmount" ? "Smallest" : "Largest"} amount, inclusive, in minor units (the size of the movement, without sign).`,
    },
  );

export const statementQuery = () =>
  z
    .strictObject({
      limit: queryInteger("limit", 100),
      cursor: positionCursor,
      type: z.enum(STATEMENT_KINDS, { error: `type must be one of ${STATEMENT_KINDS.join(", ")}.` }).optional(),
      from: describedAs(isoDate.optional(), {
        type: "string",
        format: "date",
        description: "First day, inclusive, in your time zone (UTC when you never set one).",
      }),
      to: describedAs(isoDate.optional(), { type: "string", format: "date", description: "Last day, inclusive, in your time zone." }),
      q: describedAs(
        z
          .string()
          .max(STATEMENT_TEXT_MAX, `q must be at most ${STATEMENT_TEXT_MAX} characters.`)
          .refine((value) => statementTsQuery(value) !== null, "q needs a word or number to search for.")
          .optional(),
        {
          type: "string",
          maxLength: STATEMENT_TEXT_MAX,
          description: "Words to find in the reference or the counterparty (each as a word prefix, all of them).",
        },
      ),
      minAmount: minorUnitsQuery("minAmount"),
      maxAmount: minorUnitsQuery("maxAmount"),
    })
    .refine((query) => !(query.from && query.to && query.from > query.to), { path: ["to"], message: "to is before from." })
    .refine((query) => !(query.minAmount !== undefined && query.maxAmount !== undefined && query.minAmount > query.maxAmount), {
      path: ["maxAmount"],
      message: "maxAmount is below minAmount.",
    });

export const transfersQuery = () =>
  z.strictObject({
    accountId: idSchema.optional(),
    limit: queryInteger("limit", 100),
    cursor: describedAs(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,200}$/, "This is not a cursor this API gave out.")
        .optional(),
      { type: "string", description: "The nextCursor of the previous page." },
    ),
  });

const keysetCursor = () =>
  describedAs(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,400}$/, "This is not a cursor this API gave out.")
      .optional(),
    {
      type: "string",
      description: "The nextCursor of the previous page.",
    },
  );

export const pageQuery = () => z.strictObject({ limit: queryInteger("limit", 100), cursor: keysetCursor() });

export const payeeConfirmationQuery = () =>
  z.strictObject({ accountNumber: z.string({ error: "Give accountNumber." }).min(1, "Give accountNumber.").max(40) });

export const eventsQuery = () => z.strictObject({ limit: queryInteger("limit", 500), cursor: positionCursor });

export const auditQuery = () =>
  z.strictObject({
    actor: z
      .string()
      .regex(/^[\x21-\x7e]{1,200}$/, "actor is a user id (or transfer-runner, anonymous).")
      .optional(),
    accountId: idSchema.optional(),
    type: z
      .string()
      .regex(/^[A-Za-z]{1,60}$/, "type is an event type, like MoneyDeposited.")
      .optional(),
    from: isoDateOrTime.optional(),
    to: isoDateOrTime.optional(),
    cursor: positionCursor,
    limit: queryInteger("limit", 200),
  });

// ---------------------------------------------------------------- responses

/** A whole number of minor units (or a position): exact, written as a JSON integer. */
const int64 = () => describedAs(z.union([z.bigint(), z.int()]), { type: "integer", format: "int64" });
const timestamp = () => z.string().meta({ format: "date-time" });

export const User = z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(ROLES) });

export const Account = z.object({
  id: z.string().meta({ format: "uuid" }),
  number: z.string().meta({ description: "The account number, without spaces.", examples: ["LL1234567890"] }),
  ownerId: z.string(),
  nickname: z.string().nullable(),
  currency: z.enum(CURRENCY_CODES),
  status: z.enum(["active", "frozen", "closed"]),
  balance: int64(),
  reserved: int64().meta({ description: "Held for transfers in progress." }),
  available: int64().meta({ description: "balance − reserved: what can be withdrawn or sent." }),
  version: int64().meta({ description: "The account stream's version (its number of events)." }),
  openedAt: timestamp(),
});

export const CommandEvent = z.object({
  id: z.string().meta({ format: "uuid" }),
  type: z.string().meta({ examples: ["MoneyDeposited", "WithdrawalRejected"] }),
  streamPosition: int64(),
  globalPosition: int64(),
  recordedAt: timestamp(),
  data: z
    .record(z.string(), z.unknown())
    .meta({ description: "The event's data; amounts are integers in minor units, and a rejection carries its code." }),
});

export const StatementEntry = z.object({
  position: int64().meta({ description: "The account stream position of the movement." }),
  kind: z.string().meta({ examples: ["deposit", "withdrawal", "transfer_in", "transfer_out"] }),
  outcome: z.enum(["posted", "rejected"]),
  amount: int64(),
  balanceChange: int64(),
  balanceAfter: int64(),
  currency: z.enum(CURRENCY_CODES),
  reference: z.string().nullable(),
  counterparty: z.string().nullable(),
  transferId: z.string().nullable(),
  rejectionCode: z.string().nullable(),
  recordedAt: timestamp(),
});

export const TRANSFER_STATUSES = ["requested", "held", "reserved", "sent", "credited", "completed", "failed"] as const;
const TransferParty = z.object({ accountId: z.string(), number: z.string(), name: z.string() });

export const Transfer = z.object({
  id: z.string().meta({ format: "uuid" }),
  status: z.enum(TRANSFER_STATUSES),
  direction: z.enum(["out", "in", "own"]).nullable().meta({ description: "From the caller's side; null for an admin who is neither party." }),
  amount: int64(),
  currency: z.enum(CURRENCY_CODES),
  reference: z.string().nullable(),
  from: TransferParty,
  to: TransferParty,
  external: z.boolean().meta({
    description:
      "A payment to another bank through the scheme: to.number is an IBAN; status sent means waiting for the scheme, which settles (completed) or returns it (failed, code RETURNED_BY_SCHEME).",
  }),
  steps: z.array(z.object({ step: z.string(), at: timestamp() })),
  failure: z.object({ code: z.string(), reason: z.string(), step: z.string() }).nullable(),
  requestedAt: timestamp(),
  updatedAt: timestamp(),
});

export const Payee = z.object({
  id: z.string().meta({ format: "uuid" }),
  name: z.string(),
  accountNumber: z.string(),
  holderName: z.string().meta({ description: "The holder's masked name, as confirmation of payee showed it when the payee was saved." }),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

export const PayeeConfirmation = z.object({ accountNumber: z.string(), holderName: z.string(), currency: z.enum(CURRENCY_CODES) });

export const Order = z.object({
  id: z.string().meta({ format: "uuid" }),
  status: z.enum(["active", "paused", "cancelled", "finished"]),
  fromAccountId: z.string(),
  payee: z.object({ accountNumber: z.string(), name: z.string(), payeeId: z.string().nullable() }),
  amount: int64(),
  currency: z.enum(CURRENCY_CODES),
  reference: z.string().nullable(),
  schedule: z.record(z.string(), z.unknown()),
  timeZone: z.string(),
  nextDueAt: timestamp().nullable(),
  paymentsStarted: z.int(),
  paymentsFailed: z.int(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

export const OrderPayment = z.object({
  dueAt: timestamp(),
  outcome: z.enum(["started", "failed"]),
  transferId: z.string().nullable(),
  transferStatus: z.string().nullable(),
  failureReason: z.string().nullable(),
});

export const StoredEvent = z.object({
  globalPosition: int64(),
  transactionId: z.string(),
  streamId: z.string(),
  streamPosition: int64(),
  eventId: z.string(),
  type: z.string(),
  schemaVersion: z.int(),
  data: z.unknown(),
  metadata: z.unknown(),
  recordedAt: timestamp(),
});

export const AuditEntry = z.object({
  globalPosition: int64(),
  eventId: z.string(),
  streamId: z.string(),
  streamPosition: int64(),
  type: z.string(),
  outcome: z.enum(["accepted", "rejected"]),
  actorId: z.string(),
  actorRole: z.string(),
  commandId: z.string().nullable(),
  correlationId: z.string().nullable(),
  accountId: z.string().nullable(),
  customerId: z.string().nullable(),
  summary: z.string(),
  reason: z.string().nullable(),
  changes: z.unknown(),
  recordedAt: timestamp(),
});

export const Problem = z.object({
  type: z.string().meta({ format: "uri" }),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  code: z.enum(PROBLEM_CODES),
  errors: z
    .array(z.object({ field: z.string(), message: z.string() }))
    .optional()
    .meta({ description: "Every field that needs attention (validation failures)." }),
  event: CommandEvent.optional().meta({ description: "The rejection event that was recorded (business rejections)." }),
});

export const OutboundPayment = z.object({
  id: z.string().meta({ format: "uuid", description: "The transfer's id; answer with it." }),
  status: z.enum(["sent", "settled", "returned", "pending"]).meta({
    description:
      "sent: waiting for your answer; settled or returned: answered (the same answer again changes nothing); pending: not yet sent (screening, review or reservation).",
  }),
  amount: int64(),
  currency: z.enum(CURRENCY_CODES),
  debtor: z.object({ name: z.string(), account: z.string().meta({ description: "The payer's Ledgerline account number." }) }),
  creditor: z.object({ name: z.string(), iban: z.string() }),
  reference: z.string().nullable(),
  schemeReference: z.string().nullable(),
  returnReason: z.string().nullable(),
  requestedAt: timestamp(),
  updatedAt: timestamp(),
});

export const outboundQuery = () =>
  z.strictObject({
    after: describedAs(z.string().uuid("after is the id of the last payment of the previous page.").optional(), {
      type: "string",
      description: "The id of the last payment of the previous page (the page's nextAfter).",
    }),
    limit: queryInteger("limit", 100),
  });

export const settleBody = () => schemeSettleSchema.omit({ transferId: true }).strict();
export const returnBody = () => schemeReturnSchema.omit({ transferId: true }).strict();

export const INBOUND_PAYMENT_STATUSES = ["pending", "held", "credited", "returned"] as const;

export const InboundPayment = z.object({
  id: z.string().meta({ format: "uuid", description: "Ledgerline's id of the payment (derived from the scheme and its payment id)." }),
  schemePaymentId: z.string(),
  status: z.enum(INBOUND_PAYMENT_STATUSES).meta({
    description: "pending: being credited; held: waiting for a review; credited: on the account; returned: sent back (see returnCode).",
  }),
  accountNumber: z.string(),
  amount: int64(),
  currency: z.enum(CURRENCY_CODES),
  debtor: z.object({ name: z.string(), account: z.string() }),
  reference: z.string().nullable(),
  returnCode: z.enum(["ACCOUNT_UNKNOWN", "ACCOUNT_FROZEN", "ACCOUNT_CLOSED", "CURRENCY_MISMATCH", "REJECTED_IN_REVIEW"]).nullable(),
  returnReason: z.string().nullable(),
  receivedAt: timestamp(),
  updatedAt: timestamp(),
});

const cursor = z.string().nullable().meta({ description: "Pass as `cursor` to get the next page; null on the last page." });

export const webhookBody = () =>
  z.strictObject({
    url: z
      .string({ error: "Enter the endpoint's URL." })
      .max(2000, "The URL may be at most 2,000 characters.")
      .meta({ description: "https://… on a public address." }),
    description: z.string({ error: "Enter a description." }).max(100, "Description may be at most 100 characters."),
  });

export const Webhook = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string(),
  audience: z.enum(["own", "all"]),
  status: z.enum(["active", "failing", "disabled"]),
  createdAt: timestamp(),
});

export const PublicEvent = z
  .object({
    id: z.string().meta({ format: "uuid", description: "The event id; also the broker's message id and stable across redeliveries." }),
    type: z.string().meta({ examples: ["MoneyDeposited", "TransferCompleted"] }),
    schemaVersion: z.int(),
    streamType: z.string().meta({ examples: ["account", "transfer"] }),
    streamId: z.string().meta({ examples: ["account-6f1c…"] }),
    streamPosition: int64(),
    globalPosition: int64(),
    recordedAt: timestamp(),
    data: z.unknown().meta({
      description:
        "The event's data as stored; amounts are integers in minor units. What only the bank sees (an admin's reason, a sanctions match) is left out for customers.",
    }),
    actor: z.object({ role: z.string(), id: z.string().nullable().meta({ description: "Shown when the caller is the actor (or an admin)." }) }),
    correlationId: z.string().nullable(),
  })
  .meta({ description: "An event as the API, webhooks and the broker relay carry it." });

export const responses = {
  user: z.object({ user: User }),
  token: z.object({ token: z.string(), expiresAt: timestamp() }),
  webhooks: z.object({ webhooks: z.array(Webhook) }),
  webhookCreated: z.object({
    webhook: Webhook,
    secret: z.string().meta({ description: "The Standard Webhooks signing secret (whsec_…); shown only here." }),
  }),
  eventFeed: z.object({
    events: z.array(PublicEvent),
    nextCursor: z.string().meta({ description: "Pass as after to continue; the same cursor comes back while nothing new has committed." }),
  }),
  account: z.object({ account: Account }),
  accounts: z.object({ accounts: z.array(Account) }),
  accountCommand: z.object({ account: Account, event: CommandEvent }),
  statement: z.object({ entries: z.array(StatementEntry), nextCursor: cursor }),
  transfer: z.object({ transfer: Transfer }),
  transfers: z.object({ transfers: z.array(Transfer), nextCursor: cursor }),
  events: z.object({ events: z.array(StoredEvent), nextCursor: cursor }),
  payee: z.object({ payee: Payee }),
  payees: z.object({ payees: z.array(Payee), nextCursor: cursor }),
  payeeConfirmation: z.object({ confirmation: PayeeConfirmation }),
  order: z.object({ order: Order }),
  orderWithPayments: z.object({ order: Order, payments: z.array(OrderPayment) }),
  orders: z.object({ orders: z.array(Order), nextCursor: cursor }),
  audit: z.object({ entries: z.array(AuditEntry), nextCursor: cursor }),
  rebuild: z.object({ events: z.int(), rows: z.record(z.string(), z.int()), elapsedMs: z.number() }),
  inboundPayment: z.object({ payment: InboundPayment }),
  outboundPayment: z.object({ payment: OutboundPayment }),
  outboundPayments: z.object({
    payments: z.array(OutboundPayment),
    nextAfter: z
      .string()
      .nullable()
      .meta({ description: "Pass as after for the next page; null on the last page (start again from the beginning later)." }),
  }),
  scheme: z.object({ scheme: z.object({ id: z.string(), name: z.string() }), token: z.string(), expiresAt: timestamp() }),
  none: z.object({}),
};

/** Names for the OpenAPI document's components. */
export const COMPONENTS = {
  PublicEvent,
  Webhook,
  User,
  Account,
  CommandEvent,
  StatementEntry,
  Transfer,
  StoredEvent,
  AuditEntry,
  InboundPayment,
  OutboundPayment,
  Problem,
} as const;
