import type { z } from "zod";

import type { FieldErrors } from "../domain/shared/errors";
import { ApiProblem, type FieldError } from "./problem";

/** Request bodies larger than this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 16 * 1024;

function isJsonContentType(header: string | null): boolean {
  if (!header) return false;
  const [type, ...params] = header.split(";").map((part) => part.trim().toLowerCase());
  if (type !== "application/json") return false;
  return params.every((param) => !param.startsWith("charset=") || param === "charset=utf-8" || param === 'charset="utf-8"');
}

/** Reads at most `limit` bytes of the body; past that, stops reading and refuses with 413. */
async function readCapped(request: Request, limit: number): Promise<Uint8Array> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

const tooLarge = (limit: number) => new ApiProblem("PAYLOAD_TOO_LARGE", `Request bodies may be at most ${limit} bytes.`);

/**
 * The request's JSON body, checked in this order: size (413), content type (415), UTF-8 and JSON
 * syntax (400). An `optional` body may be left out altogether (no bytes at all).
 */
export async function readJsonBody(request: Request, options: { optional?: boolean; limit?: number } = {}): Promise<unknown> {
  const limit = options.limit ?? MAX_BODY_BYTES;
  const length = request.headers.get("content-length");
  if (length !== null && (!/^\d+$/.test(length) || Number(length) > limit)) throw tooLarge(limit);
  const bytes = await readCapped(request, limit);
  if (bytes.byteLength === 0 && options.optional) return undefined;
  if (!isJsonContentType(request.headers.get("content-type"))) {
    throw new ApiProblem("UNSUPPORTED_MEDIA_TYPE", "Send the body as JSON with the header Content-Type: application/json.");
  }
  if (bytes.byteLength === 0) throw new ApiProblem("MALFORMED_JSON", "The body is empty; send a JSON object.");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ApiProblem("MALFORMED_JSON", "The body is not valid UTF-8.");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiProblem("MALFORMED_JSON", "The body is not valid JSON.");
  }
}

/** Query parameters as one string each; a parameter given twice is a mistake worth saying so. */
export function readQuery(url: URL): { values: Record<string, string>; errors: FieldError[] } {
  const values: Record<string, string> = Object.create(null) as Record<string, string>;
  const errors: FieldError[] = [];
  for (const [key, value] of url.searchParams) {
    if (Object.hasOwn(values, key)) errors.push({ field: key, message: "Give this parameter once." });
    else values[key] = value;
  }
  return { values, errors };
}

/** zod issues as the API's field errors: every field, every problem, unknown fields named. */
export function issuesToFieldErrors(issues: readonly z.core.$ZodIssue[], root: string): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const prefix = issue.path.length > 0 ? `${issue.path.join(".")}.` : "";
      for (const key of issue.keys) errors.push({ field: prefix + key, message: "Unknown field." });
      continue;
    }
    const field = issue.path.length > 0 ? issue.path.join(".") : root;
    const message = issue.path.length === 0 && issue.code === "invalid_type" ? `The ${root} must be a JSON object.` : issue.message;
    errors.push({ field, message });
  }
  return errors;
}

/** The command layer's ValidationError fields, in the same shape. */
export function fieldErrorsToList(fieldErrors: FieldErrors): FieldError[] {
  return Object.entries(fieldErrors).flatMap(([field, messages]) => messages.map((message) => ({ field, message })));
}

/** Validates with the operation's schema; every problem at once, or AMOUNT_TOO_LARGE when that is the only one. */
export function validate<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  root: "body" | "query",
  extra: FieldError[] = [],
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success && extra.length === 0) return result.data;
  const issues = result.success ? [] : result.error.issues;
  const errors = [...extra, ...issuesToFieldErrors(issues, root)];
  const onlyTooLarge =
    extra.length === 0 && issues.length > 0 && issues.every((issue) => issue.code === "custom" && issue.params?.code === "AMOUNT_TOO_LARGE");
  if (onlyTooLarge) throw new ApiProblem("AMOUNT_TOO_LARGE", errors[0]?.message ?? "The amount is above the limit.", { errors });
  throw new ApiProblem(
    "VALIDATION_FAILED",
    root === "body" ? "The request body has problems; see errors." : "The query string has problems; see errors.",
    {
      errors,
    },
  );
}
