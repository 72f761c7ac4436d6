import { z } from "zod";

import { operations, type Operation } from "./operations";
import { PROBLEMS, type ProblemCode } from "./problem";
import { MAX_BODY_BYTES } from "./request";
import { COMPONENTS, jsonSchemaOverrides, responses, type Limits } from "./schemas";
import { neededScope, SCOPES_ALLOWED } from "./scopes";

type JsonSchema = Record<string, unknown>;

/**
 * The OpenAPI 3.1 document, generated from the operations (./operations.ts) and the zod schemas the
 * routes validate with: what the document says a route accepts is what the route accepts.
 */
export function openApiDocument(limits: Limits): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  for (const [key, schema] of Object.entries(responses)) if (key !== "none") registry.add(schema, { id: `${pascal(key)}Response` });

  const bodies = new Map<string, z.ZodType>();
  for (const operation of Object.values(operations) as Operation[]) {
    if (!operation.body) continue;
    const schema = operation.body(limits);
    bodies.set(operation.operationId, schema);
    registry.add(schema, { id: `${pascal(operation.operationId)}Request` });
  }
  const generated = z.toJSONSchema(registry, { ...conversion, uri: (id) => `#/components/schemas/${id}` }) as { schemas: Record<string, JsonSchema> };
  const schemas = Object.fromEntries(Object.entries(generated.schemas).map(([id, schema]) => [id, clean(schema)]));
  const refOf = (schema: z.ZodType) => {
    const id = registry.get(schema)?.id;
    if (!id) throw new Error("Every request and response schema of the API is a named component");
    return { $ref: `#/components/schemas/${id}` };
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of Object.values(operations) as Operation[]) {
    const body = bodies.get(operation.operationId);
    (paths[operation.path] ??= {})[operation.method.toLowerCase()] = {
      operationId: operation.operationId,
      tags: [operation.tag],
      summary: operation.summary,
      ...(operation.description ? { description: operation.description } : {}),
      security: operation.auth === "none" ? [] : [{ bearerAuth: [] }],
      ...(operation.auth === "none" ? {} : { "x-token-scopes": SCOPES_ALLOWED[neededScope(operation)] }),
      parameters: [...pathParameters(operation), ...queryParameters(operation), ...headerParameters(operation)],
      ...(body
        ? {
            requestBody: {
              required: !operation.bodyOptional,
              description: `JSON, at most ${MAX_BODY_BYTES} bytes. Unknown fields are refused.`,
              content: { "application/json": { schema: refOf(body) } },
            },
          }
        : {}),
      responses: {
        [String(operation.success.status)]: successResponse(operation, refOf),
        ...problemResponses(operation),
      },
    };
  }

  return {
    openapi: "3.1.0",
    info: {
      title: "Ledgerline API",
      version: "1.0.0",
      description:
        "The public JSON API of Ledgerline, an event-sourced bank. Amounts are integers in minor units of the account's currency. Every error is application/problem+json with a stable code. Money-moving POSTs need an Idempotency-Key.",
    },
    servers: [{ url: "/api/v1" }],
    tags: [
      { name: "Auth", description: "Sign up and bearer tokens." },
      { name: "Accounts", description: "Your accounts, deposits, withdrawals and statements." },
      { name: "Transfers", description: "Transfers between accounts (same currency)." },
      { name: "Payees", description: "Saved payees, checked by confirmation of payee (the holder's masked name)." },
      { name: "Orders", description: "Scheduled (once) and standing (weekly, monthly) orders; each due payment becomes a transfer." },
      { name: "Schemes", description: "For a payment scheme: payments into Ledgerline accounts; tokens of the scheme role only (others get 403)." },
      { name: "Events", description: "Every event of yours in global order, for catching up without webhooks." },
      { name: "Admin", description: "Back-office actions; tokens of admins only (others get 403)." },
      { name: "Meta", description: "About the API itself." },
    ],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", description: "A token from POST /auth/token or the portal's /settings/tokens page." },
      },
    },
  };
}

const conversion = {
  io: "input",
  unrepresentable: "any",
  override: (ctx: { zodSchema: unknown; jsonSchema: JsonSchema }) => {
    const entry = jsonSchemaOverrides.get(ctx.zodSchema as z.ZodType);
    if (!entry) return;
    const kept = Object.fromEntries(["description", "examples", "title"].filter((k) => k in ctx.jsonSchema).map((k) => [k, ctx.jsonSchema[k]]));
    for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
    Object.assign(ctx.jsonSchema, entry.jsonSchema, kept);
  },
} as const;

/** JSON Schema 2020-12 as OpenAPI 3.1 embeds it: no per-schema $schema or fragment-only $id. */
function clean(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

function pathParameters(operation: Operation) {
  return [...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: "path",
    required: true,
    schema: operation.pathParams?.[name!] ?? { type: "string", format: "uuid" },
  }));
}

function queryParameters(operation: Operation) {
  if (!operation.query) return [];
  const schema = clean(z.toJSONSchema(operation.query(), conversion) as JsonSchema);
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: "query",
    required: required.has(name),
    ...(typeof property.description === "string" ? { description: property.description } : {}),
    schema: property,
  }));
}

function headerParameters(operation: Operation) {
  if (!operation.idempotency) return [];
  return [
    {
      name: "Idempotency-Key",
      in: "header",
      required: operation.idempotency === "required",
      description:
        "Makes a retry safe: the same key with the same request replays the first response (status and body) and applies nothing again; with a different request it is 422; while the first is still running it is 409. Keys are per user and kept at least 24 hours.",
      schema: { type: "string", minLength: 1, maxLength: 255, pattern: "^[\\x21-\\x7E]+$" },
    },
  ];
}

function successResponse(operation: Operation, refOf: (schema: z.ZodType) => { $ref: string }) {
  const headers = operation.idempotency
    ? {
        "Idempotent-Replayed": {
          description: "true when this is the stored response of an earlier request with the same key.",
          schema: { type: "string", enum: ["true"] },
        },
      }
    : undefined;
  if (operation.success.contentType) {
    return {
      description: operation.success.description,
      content: { [operation.success.contentType]: { schema: { type: "string", contentMediaType: operation.success.contentType } } },
    };
  }
  if (!operation.success.schema) {
    if (operation.success.status === 204) return { description: operation.success.description, ...(headers ? { headers } : {}) };
    return { description: operation.success.description, content: { "application/json": { schema: { type: "object" } } } };
  }
  return {
    description: operation.success.description,
    ...(headers ? { headers } : {}),
    content: { "application/json": { schema: refOf(operation.success.schema) } },
  };
}

/** Which problems an operation can answer, grouped by status. */
export function problemCodesOf(operation: Operation): ProblemCode[] {
  const codes = new Set<ProblemCode>(["VALIDATION_FAILED", "INTERNAL_ERROR"]);
  if (operation.auth !== "none") codes.add("UNAUTHENTICATED");
  if (operation.auth === "admin") codes.add("FORBIDDEN");
  if (operation.auth === "user") codes.add("ROLE_NOT_ALLOWED");
  if (operation.auth !== "none" && neededScope(operation) !== "any" && neededScope(operation) !== "read") codes.add("INSUFFICIENT_SCOPE");
  if (operation.body) for (const code of ["MALFORMED_JSON", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"] as const) codes.add(code);
  if (operation.idempotency) {
    if (operation.idempotency === "required") codes.add("IDEMPOTENCY_KEY_MISSING");
    for (const code of ["IDEMPOTENCY_KEY_INVALID", "IDEMPOTENCY_KEY_REUSED"] as const) codes.add(code);
  }
  for (const code of operation.problems) codes.add(code);
  return [...codes];
}

function problemResponses(operation: Operation) {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of problemCodesOf(operation)) {
    const status = PROBLEMS[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, codes]) => [
        String(status),
        {
          description: `A problem; code ${codes.join(", ")}.`,
          ...(status === 429 || status === 409
            ? { headers: { "Retry-After": { description: "Seconds to wait before retrying.", schema: { type: "integer" } } } }
            : {}),
          ...(status === 401 ? { headers: { "WWW-Authenticate": { description: "Bearer challenge.", schema: { type: "string" } } } } : {}),
          content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
        },
      ]),
  );
}
