import { describe, expect, it } from "vitest";
import { z } from "zod";

import { minorUnitsSchema, optionalText, parseInput, requiredText } from "@/lib/commands/validation";
import { ValidationError } from "@/lib/domain/shared/errors";

const input = z.object({ amount: minorUnitsSchema(1_000_000n) });

function validationErrorFor(amount: unknown): ValidationError {
  try {
    parseInput(input, { amount });
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error(`expected ${String(amount)} to be refused`);
}

describe("minorUnitsSchema(1_000_000n) through parseInput", () => {
  it.each<[string, unknown, bigint]>([
    ["the number 1", 1, 1n],
    ['the string "250"', "250", 250n],
    ["the bigint 250n", 250n, 250n],
    ["the limit as a number", 1_000_000, 1_000_000n],
    ["the limit as a string", "1000000", 1_000_000n],
    ["the limit as a bigint", 1_000_000n, 1_000_000n],
  ])("accepts %s as %s", (_label, amount, expected) => {
    expect(parseInput(input, { amount })).toEqual({ amount: expected });
  });

  it.each<[string, unknown]>([
    ["zero", 0],
    ["zero as a string", "0"],
    ["zero as a bigint", 0n],
    ["a negative number", -5],
    ["a negative string", "-5"],
    ["padded digits (the API's document says digits only)", " 250 "],
    ["a negative bigint", -5n],
    ["a fraction", 1.5],
    ["a fraction as a string", "1.5"],
    ["letters", "abc"],
    ["an empty string", ""],
    ["blank text", "   "],
    ["null", null],
    ["undefined", undefined],
    ["NaN", Number.NaN],
    ["Infinity", Number.POSITIVE_INFINITY],
    ["1e21 (not a safe integer)", 1e21],
    ["an unsafe integer", 2 ** 53],
    ["exponent notation", "1e3"],
    ["one over the limit", 1_000_001],
    ["one over the limit as a string", "1000001"],
    ["one over the limit as a bigint", 1_000_001n],
    ["a 31-digit string", "1".repeat(31)],
    ["a boolean", true],
    ["an object", { value: 1 }],
  ])("refuses %s with a ValidationError on the amount field", (_label, amount) => {
    const error = validationErrorFor(amount);
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.fieldErrors.amount).toEqual([expect.stringMatching(/\w/)]);
    expect(Object.keys(error.fieldErrors)).toEqual(["amount"]);
  });

  it("says why: zero, too large, not a whole number", () => {
    expect(validationErrorFor(0).fieldErrors.amount).toEqual(["Amount must be greater than zero."]);
    expect(validationErrorFor(1_000_001).fieldErrors.amount).toEqual(["Amount is above the limit of 1000000 minor units per transaction."]);
    expect(validationErrorFor("1.5").fieldErrors.amount).toEqual(["Amount must be a whole number of minor units (e.g. cents)."]);
  });

  it("reports a problem that is not tied to a field under _form", () => {
    try {
      parseInput(minorUnitsSchema(10n), 11);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fieldErrors).toEqual({
        _form: ["Amount is above the limit of 10 minor units per transaction."],
      });
    }
  });

  it("lists every field's problems, not just the first", () => {
    const two = z.object({ amount: minorUnitsSchema(100n), fee: minorUnitsSchema(100n) });
    try {
      parseInput(two, { amount: 0, fee: "abc" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect(Object.keys((error as ValidationError).fieldErrors).sort()).toEqual(["amount", "fee"]);
    }
  });
});

describe("free text (references, nicknames, reasons)", () => {
  const text = z.object({ reason: requiredText("Reason", 20), reference: optionalText("Reference", 20) });

  it("refuses control characters and lone surrogates, which Postgres cannot store, naming the field", () => {
    for (const bad of ["nul\u0000", "line\nbreak", "half\ud800", "\udc00"]) {
      const result = text.safeParse({ reason: "ok", reference: bad });
      expect(result.success, JSON.stringify(bad)).toBe(false);
      expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual(["reference"]);
    }
  });

  it("keeps real text, emoji and accents included", () => {
    expect(text.parse({ reason: "  Café 👍  ", reference: "" })).toEqual({ reason: "Café 👍", reference: null });
  });
});
