import "server-only";

import { createHash } from "node:crypto";

import { z } from "zod";

import { tokenUserOf, tokenUserStatement, type TokenUser } from "../auth/api-tokens";
import { isHashingBusy } from "../auth/password";
import { isRateLimited } from "../auth/rate-limits";
import { fromConfiguredProxy } from "../client-address";
import type { CommandContext } from "../commands/accounts";
import { commandContext } from "../commands/context";
import { perLimit } from "../commands/validation";
import type { Database } from "../db/client";
import type { CommandLogLine, CommandMetadata } from "../domain/shared/decider";
import { DomainError, ValidationError } from "../domain/shared/errors";
import { CallerRefusedError, IdempotencyKeyReusedError } from "../event-store/errors";
import type { DeferredCaller } from "../event-store/handle-command";
import { log } from "../log";
import { metrics } from "../observability/metrics";
import { idsFromHeaders, type RequestIds } from "../request-id";
import { bearerToken, bearerUser, invalidToken } from "./auth";
import { idempotencyKeyOf } from "./idempotency";
import { canonicalJson, toJsonText } from "./json";
import type { Operation } from "./operations";
import { ApiProblem, NO_STORE, problemResponse } from "./problem";
import { ApiReply, FileReply } from "./reply";
import { fieldErrorsToList, readJsonBody, readQuery, validate } from "./request";
import type { Limits } from "./schemas";
import { neededScope, scopeAllows, SCOPES_ALLOWED } from "./scopes";

type BodyOf<O extends Operation> = O["body"] extends (limits: Limits) => infer Schema
  ? Schema extends z.ZodType
    ? z.output<Schema>
    : undefined
  : undefined;
type QueryOf<O extends Operation> = O["query"] extends () => infer Schema ? (Schema extends z.ZodType ? z.output<Schema> : undefined) : undefined;
type SuccessOf<O extends Operation> = O["success"]["schema"] extends z.ZodType ? z.input<O["success"]["schema"]> : void;

export type HandlerInput<O extends Operation> = {
  /** The token's user (null on operations anyone may call, and where the command checks the token). */
  readonly user: O["auth"] extends "none" ? null : O["tokenInCommand"] extends true ? null : TokenUser;
  /** Where the command checks the token (`tokenInCommand`): the caller to hand it. */
  readonly caller: O["tokenInCommand"] extends true ? DeferredCaller : undefined;
  readonly body: BodyOf<O>;
  readonly query: QueryOf<O>;
  readonly params: Readonly<Record<string, string>>;
  readonly ctx: CommandContext;
  /** Who, when, and the command id (from the Idempotency-Key) for the command layer. */
  readonly metadata: CommandMetadata;
  /**
   * With an Idempotency-Key: what makes a retry "the same request" (a hash of the operation, the
   * path and the body). The command records it with the key and the response, in its transaction.
   */
  readonly idempotency?: { readonly key: string; readonly requestHash: string };
  readonly request: Request;
};

/**
 * Returns the success body, or an ApiReply a command built and kept with its Idempotency-Key.
 * Expected failures are thrown as ApiProblem (or the command layer's errors).
 */
export type Handler<O extends Operation> = (input: HandlerInput<O>) => Promise<SuccessOf<O> | ApiReply | FileReply>;

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

/**
 * A Next.js route handler for one operation: authenticate the bearer token, check the role, read and
 * validate the query and body with the operation's schemas, apply the Idempotency-Key, run the
 * handler, and answer JSON or a problem. Nothing unexpected leaves as anything but a 500 problem
 * without details (the error is logged here).
 */
export function apiRoute<O extends Operation>(operation: O, handler: Handler<O>) {
  // Built once per route: constructing zod schemas costs more than validating with them.
  const schemas = {
    query: operation.query ? operation.query() : emptyQuery,
    // Limits arrive as a new object per request: key them by value.
    body: operation.body ? perLimit(operation.body, (limits: Limits) => `${limits.maxAmount}:${limits.maxTransferAmount}`) : undefined,
  };
  return async function route(request: Request, context: RouteContext): Promise<Response> {
    const started = performance.now();
    const ids = idsFromHeaders(request.headers, fromConfiguredProxy(request.headers));
    const line = new AccessLine();
    const response = await answer(request, context, ids, line);
    line.written = true;
    // One line per API call, with its command's fields when it ran one (lib/event-store/observe.ts):
    // a line less per write than a line each, and what an operator looks for is on one line.
    log().info(
      {
        event: "api",
        requestId: ids.requestId,
        method: operation.method,
        operation: operation.operationId,
        status: response.status,
        durationMs: Math.round(performance.now() - started),
        ...line.actor,
        ...line.commandFields(),
      },
      "api request",
    );
    response.headers.set("x-request-id", ids.requestId);
    return response;
  };

  /** Who may call: a throw answers the request (the checks, in order, after the token's own). */
  function admit(user: TokenUser | null, line: AccessLine): void {
    if (user) line.actor = { actorRole: actorRoleOf(user), actorId: user.id };
    if (operation.auth === "admin" && user?.role !== "admin") {
      throw new ApiProblem("FORBIDDEN", "Only admins may do this.");
    }
    // A scheme's token sends and answers payments, nothing else; no one else's token may do that.
    if (operation.auth === "scheme" && user?.role !== "scheme") {
      throw new ApiProblem("ROLE_NOT_ALLOWED", "Only a payment scheme's token may call this.");
    }
    if (operation.auth === "user" && user?.role === "scheme") {
      throw new ApiProblem("ROLE_NOT_ALLOWED", "A payment scheme's token may only call the /scheme operations.");
    }
    // Before anything is read or run: a read-only token never reaches a command.
    if (user && !scopeAllows(user.scope, operation)) {
      throw new ApiProblem(
        "INSUFFICIENT_SCOPE",
        `This token's scope (${user.scope}) does not allow this; it needs a ${SCOPES_ALLOWED[neededScope(operation)].join(" or ")} token.`,
      );
    }
  }

  /**
   * The token checked by the command (`tokenInCommand`): its statement goes with the command's load,
   * and `admit` runs the same checks on the row it finds. A request that fails before its command
   * checked the token calls `checkFirst`, so the token's answer (401, 403) still comes first.
   */
  function commandCaller(request: Request, line: AccessLine) {
    const token = bearerToken(request);
    const now = new Date();
    const read = token ? tokenUserStatement(token, now) : undefined;
    if (!read) throw invalidToken();
    let checked = false;
    const deferred: DeferredCaller = {
      read,
      admit(row) {
        checked = true;
        const found = tokenUserOf(row, now);
        if (!found) throw invalidToken();
        admit(found.user, line);
        return { actor: { id: found.user.id, role: actorRoleOf(found.user) }, writes: found.lastUsedWrite ? [found.lastUsedWrite] : [] };
      },
    };
    return {
      deferred,
      async checkFirst(db: Database) {
        if (checked) return;
        checked = true;
        admit(await bearerUser(db, request), line);
      },
    };
  }

  async function answer(request: Request, context: RouteContext, ids: RequestIds, line: AccessLine): Promise<Response> {
    let caller: ReturnType<typeof commandCaller> | undefined;
    let db: Database | undefined;
    try {
      const ctx = await commandContext();
      db = ctx.db;
      caller = operation.tokenInCommand ? commandCaller(request, line) : undefined;
      const user = operation.auth === "none" || caller ? null : await bearerUser(ctx.db, request);
      if (!caller) admit(user, line);
      const key = operation.idempotency && (user || caller) ? idempotencyKeyOf(request, operation.idempotency) : undefined;
      const params = await stringParams(context);
      const url = new URL(request.url);
      const query = readQuery(url);
      const queryValues = validate(schemas.query, query.values, "query", query.errors);
      const bodySchema = schemas.body?.({ maxAmount: ctx.maxAmount, maxTransferAmount: ctx.maxTransferAmount ?? ctx.maxAmount });
      const body = bodySchema
        ? validate(
            bodySchema,
            (await readJsonBody(request, { optional: operation.bodyOptional })) ?? (operation.bodyOptional ? {} : undefined),
            "body",
          )
        : undefined;
      const metadata: CommandMetadata = {
        now: new Date(),
        // With the token checked by the command, the command puts the token's user here.
        actor: user ? { id: user.id, role: actorRoleOf(user) } : { id: "anonymous", role: "customer" },
        commandId: key ? `api:${key}` : undefined,
        origin: "api",
        ...ids,
        logLine: line,
      };
      // The key is recorded by the command, in its own transaction, with the response: there is
      // nothing to claim or complete here (docs/decisions/0002-idempotency-in-the-command-transaction.md).
      const idempotency = key
        ? {
            key,
            requestHash: createHash("sha256")
              .update(`${operation.operationId}\n${canonicalJson(params)}\n${canonicalJson(body)}`)
              .digest("hex"),
          }
        : undefined;
      const input = {
        user,
        caller: caller?.deferred,
        body,
        query: operation.query ? queryValues : undefined,
        params,
        ctx,
        metadata,
        idempotency,
        request,
      } as HandlerInput<O>;
      const checkFirst = caller ? caller.checkFirst : undefined;
      return respond(await run(operation, handler, input, checkFirst ? () => checkFirst(ctx.db) : undefined));
    } catch (thrown) {
      let error = thrown;
      // Refused before the command checked the token: the token's own answer, if it has one, first.
      if (caller && db) {
        try {
          await caller.checkFirst(db);
        } catch (refused) {
          error = refused;
        }
      }
      if (error instanceof ApiProblem) return problemResponse(error);
      log().error({ err: error, requestId: ids.requestId, operation: operation.operationId }, "api request failed");
      return problemResponse(
        new ApiProblem(
          "INTERNAL_ERROR",
          "The request could not be completed. Retrying with the same Idempotency-Key is safe: a command never takes effect twice.",
        ),
      );
    }
  }
}

const emptyQuery = z.strictObject({});

const actorRoleOf = (user: TokenUser) => (user.role === "admin" ? "admin" : user.role === "scheme" ? "scheme" : "customer");

/** The access line being made: who called, and the first command the request ran, until it is written. */
class AccessLine implements CommandLogLine {
  written = false;
  actor: { actorRole: string; actorId: string } | undefined;
  private command: Readonly<Record<string, unknown>> | undefined;

  join(fields: Readonly<Record<string, unknown>>): boolean {
    // A command after the answer (a transfer's later steps) or a second one logs its own line.
    if (this.written || this.command) return false;
    this.command = fields;
    return true;
  }

  /** The command's fields as the access line carries them (its own duration as commandMs). */
  commandFields(): Record<string, unknown> {
    if (!this.command) return {};
    const { commandType, outcome, durationMs, retries, streamId, correlationId, code } = this.command;
    return { commandType, outcome, commandMs: durationMs, retries, streamId, correlationId, ...(code === undefined ? {} : { code }) };
  }
}

/** A response; its headers (Retry-After, say) are sent but never stored with an Idempotency-Key. */
type RunResponse = { status: number; body: string | Uint8Array<ArrayBuffer>; headers?: Record<string, string>; contentType?: string };

/**
 * Runs the handler; expected failures become problems, after `checkFirst` (a token the command did
 * not get to check: its refusal is thrown instead). Unexpected ones are thrown.
 */
async function run<O extends Operation>(
  operation: O,
  handler: Handler<O>,
  input: HandlerInput<O>,
  checkFirst?: () => Promise<void>,
): Promise<RunResponse> {
  try {
    const result = await handler(input);
    if (result instanceof FileReply) {
      return {
        status: operation.success.status,
        body: new Uint8Array(result.bytes),
        contentType: result.contentType,
        headers: { "content-disposition": `attachment; filename="${result.filename}"` },
      };
    }
    if (result instanceof ApiReply) {
      if (!result.replayed) return result.stored;
      metrics().idempotentReplays.inc({ layer: "api" });
      return { ...result.stored, headers: { "idempotent-replayed": "true" } };
    }
    return { status: operation.success.status, body: operation.success.status === 204 ? "" : toJsonText(result) };
  } catch (error) {
    const problem = expectedProblem(error);
    if (!problem) throw error;
    await checkFirst?.();
    return { status: problem.status, body: toJsonText(problem.body()), headers: problem.headers };
  }
}

/** The command layer's expected failures, as problems. */
function expectedProblem(error: unknown): ApiProblem | undefined {
  if (error instanceof CallerRefusedError) return expectedProblem(error.cause);
  if (error instanceof ApiProblem) return error;
  if (isHashingBusy(error)) {
    return new ApiProblem("SERVER_BUSY", error.message, { headers: { "retry-after": String(error.retryAfterSeconds) } });
  }
  if (isRateLimited(error)) {
    return new ApiProblem("RATE_LIMITED", error.message, { headers: { "retry-after": String(error.retryAfterSeconds) } });
  }
  if (error instanceof ValidationError) {
    return new ApiProblem("VALIDATION_FAILED", "The request has problems; see errors.", { errors: fieldErrorsToList(error.fieldErrors) });
  }
  if (error instanceof IdempotencyKeyReusedError) {
    return new ApiProblem(
      "IDEMPOTENCY_KEY_REUSED",
      "This Idempotency-Key was already used with a different request; use a new key for a new operation.",
    );
  }
  if (error instanceof DomainError) {
    switch (error.code) {
      case "ACCOUNT_NOT_FOUND":
        return new ApiProblem("ACCOUNT_NOT_FOUND", "There is no such account.");
      case "TRANSFER_NOT_FOUND":
        return new ApiProblem("TRANSFER_NOT_FOUND", "There is no such transfer.");
      case "TRANSFER_NOT_HELD":
        return new ApiProblem("TRANSFER_NOT_HELD", error.message);
      case "ORDER_NOT_FOUND":
        return new ApiProblem("ORDER_NOT_FOUND", "There is no such order of yours.");
      case "ORDER_ENDED":
        return new ApiProblem("ORDER_ENDED", error.message);
      case "OWN_ITEM":
        return new ApiProblem("OWN_ITEM", error.message);
      case "APPROVAL_REQUIRED":
        return new ApiProblem("APPROVAL_REQUIRED", `${error.message} Ask for it in the back office (Held transfers or the account's page).`);
      case "INBOUND_PAYMENT_NOT_FOUND":
        return new ApiProblem("INBOUND_PAYMENT_NOT_FOUND", "There is no such inbound payment.");
      case "INBOUND_PAYMENT_NOT_HELD":
        return new ApiProblem("INBOUND_PAYMENT_NOT_HELD", error.message);
      case "OUTBOUND_PAYMENT_NOT_FOUND":
        return new ApiProblem("OUTBOUND_PAYMENT_NOT_FOUND", "There is no such outbound payment.");
      case "OUTBOUND_PAYMENT_ANSWERED":
        return new ApiProblem("OUTBOUND_PAYMENT_ANSWERED", error.message);
      case "OUTBOUND_PAYMENT_NOT_SENT":
        return new ApiProblem("OUTBOUND_PAYMENT_NOT_SENT", error.message);
      case "SCHEME_PAYMENT_ID_REUSED":
        return new ApiProblem("SCHEME_PAYMENT_ID_REUSED", error.message);
      // What a key makes is named after the key (a derived id): once the key's record is purged
      // (after 48 hours), the same key meets what it made the first time.
      case "TRANSFER_ALREADY_EXISTS":
      case "ACCOUNT_ALREADY_EXISTS":
      case "ORDER_ALREADY_EXISTS":
        return new ApiProblem("IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used more than 48 hours ago; use a new key for a new operation.");
      default:
        return undefined;
    }
  }
  return undefined;
}

function respond(response: RunResponse, headers: Record<string, string> = {}): Response {
  const all = { ...NO_STORE, ...response.headers, ...headers };
  if (response.status === 204) return new Response(null, { status: 204, headers: all });
  const type = response.status >= 400 ? "application/problem+json" : (response.contentType ?? "application/json");
  return new Response(response.body, { status: response.status, headers: { "content-type": type, ...all } });
}

async function stringParams(context: RouteContext | undefined): Promise<Record<string, string>> {
  const raw = (await context?.params) ?? {};
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) if (typeof value === "string") out[name] = value;
  return out;
}
