import { z } from "zod";

import { ValidationError } from "../domain/shared/errors";

/**
 * An amount in minor units as the command layer accepts it: a bigint, a safe integer, or a string of
 * digits (nothing around them). Everything else (negative, zero, fractional, exponent, huge, NaN) is refused here, before
 * any event can be written.
 */
export function minorUnitsSchema(maxAmount: bigint) {
  return z.union([z.bigint(), z.number(), z.string()], { error: "Enter an amount." }).transform((value, ctx): bigint => {
    let amount: bigint | undefined;
    if (typeof value === "bigint") amount = value;
    else if (typeof value === "number" && Number.isSafeInteger(value)) amount = BigInt(value);
    // Digits only, as the API's document says: no sign, spaces, exponent or prefix.
    else if (typeof value === "string" && /^\d{1,30}$/.test(value)) amount = BigInt(value);
    if (amount === undefined && typeof value === "string" && /^-\d{1,30}$/.test(value)) {
      ctx.addIssue({ code: "custom", message: "Amount must be greater than zero." });
      return z.NEVER;
    }
    if (amount === undefined) {
      ctx.addIssue({ code: "custom", message: "Amount must be a whole number of minor units (e.g. cents)." });
      return z.NEVER;
    }
    if (amount <= 0n) {
      ctx.addIssue({ code: "custom", message: "Amount must be greater than zero." });
      return z.NEVER;
    }
    if (amount > maxAmount) {
      ctx.addIssue({
        code: "custom",
        message: `Amount is above the limit of ${maxAmount} minor units per transaction.`,
        params: { code: "AMOUNT_TOO_LARGE" },
      });
      return z.NEVER;
    }
    return amount;
  });
}

function boundedText(label: string, max: number) {
  return (
    z
      .string({ error: `${label} must be text.` })
      .trim()
      .max(max, `${label} can be at most ${max} characters.`)
      .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), `${label} cannot contain control characters.`)
      // A lone UTF-16 surrogate is not text: JSON accepts "\ud800", Postgres's jsonb refuses it.
      .refine((value) => value.isWellFormed(), `${label} contains characters that are not valid text.`)
  );
}

/** Free text a person must give (a reason): trimmed, bounded, printable. */
export const requiredText = (label: string, max: number) => boundedText(label, max).min(1, `${label} is required.`);

/** Free text a person may give (a reference, a nickname); empty becomes null. */
export const optionalText = (label: string, max: number) =>
  boundedText(label, max)
    .nullish()
    .transform((value) => (value ? value : null));

export const idSchema = z.string({ error: "An id is required." }).uuid("Not a valid id.");

/** Parses or throws ValidationError listing every field's problems (not just the first). */
export function parseInput<Schema extends z.ZodType>(schema: Schema, input: unknown): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length > 0 ? issue.path.join(".") : "_form";
    (fieldErrors[field] ??= []).push(issue.message);
  }
  throw new ValidationError(fieldErrors);
}

/**
 * Builds a schema once per limit. zod schemas are costly to construct (a third of a deposit
 * request's validation time went to rebuilding them), and the limits are fixed per process.
 */
export function perLimit<Limit, Schema>(
  build: (limit: Limit) => Schema,
  keyOf: (limit: Limit) => unknown = (limit) => limit,
): (limit: Limit) => Schema {
  const built = new Map<unknown, Schema>();
  return (limit) => {
    const key = keyOf(limit);
    let schema = built.get(key);
    if (schema === undefined) built.set(key, (schema = build(limit)));
    return schema;
  };
}
