import { describe, expect, it } from "vitest";

import type { Currency } from "@/lib/domain/shared/currency";
import { formatMarkedMoney, formatMoney, markMoney, parseDecimalAmount, toDecimalString } from "@/lib/domain/shared/money";

describe("parseDecimalAmount", () => {
  it.each<[string, Currency, bigint]>([
    ["100", "EUR", 10_000n],
    ["30.5", "EUR", 3_050n],
    ["69.50", "EUR", 6_950n],
    ["1,000.00", "EUR", 100_000n],
    ["1 000", "EUR", 100_000n],
    ["1_000", "EUR", 100_000n],
    ["1'000", "CHF", 100_000n],
    ["1,234,567.89", "USD", 123_456_789n],
    ["0.01", "EUR", 1n],
    ["  42  ", "GBP", 4_200n],
    ["1200", "JPY", 1_200n],
    ["1,200", "JPY", 1_200n],
    ["123456789012345678901234567890", "EUR", 12_345_678_901_234_567_890_123_456_789_000n],
  ])("parses %j %s as %s minor units", (input, currency, amount) => {
    expect(parseDecimalAmount(input, currency)).toEqual({ ok: true, amount });
  });

  it("parses \"0\" as 0n: refusing a zero amount is the command layer's job, not the parser's", () => {
    expect(parseDecimalAmount("0", "EUR")).toEqual({ ok: true, amount: 0n });
    expect(parseDecimalAmount("0.00", "EUR")).toEqual({ ok: true, amount: 0n });
  });

  it.each(["", "  ", "\t\n"])("refuses %j as AMOUNT_REQUIRED", (input) => {
    expect(parseDecimalAmount(input, "EUR")).toMatchObject({ ok: false, code: "AMOUNT_REQUIRED" });
  });

  it.each(["abc", "-5", "+5", "1e9999", "1e3", "12,34", "1,0000", "1.2.3", ".", "NaN", "Infinity", "-Infinity", "0x10", "1.000,50", "€5"])(
    "refuses %j as AMOUNT_INVALID",
    (input) => {
      expect(parseDecimalAmount(input, "EUR")).toMatchObject({ ok: false, code: "AMOUNT_INVALID" });
    },
  );

  it('refuses "1.234" EUR as AMOUNT_TOO_PRECISE: EUR has two decimal places', () => {
    expect(parseDecimalAmount("1.234", "EUR")).toEqual({
      ok: false,
      code: "AMOUNT_TOO_PRECISE",
      message: "Use at most 2 decimal places for EUR.",
    });
  });

  it.each([
    ["1.000", "EUR"],
    ["1.500", "EUR"],
    ["12.0", "JPY"],
  ] as const)('refuses "%s" %s: extra decimals are refused even when zero, since "1.000" may mean one thousand', (input, currency) => {
    expect(parseDecimalAmount(input, currency)).toMatchObject({ ok: false, code: "AMOUNT_TOO_PRECISE" });
  });

  it("refuses mixed group separators", () => {
    expect(parseDecimalAmount("1,000 000", "EUR")).toMatchObject({ ok: false, code: "AMOUNT_INVALID" });
    expect(parseDecimalAmount("1 000 000", "EUR")).toEqual({ ok: true, amount: 100_000_000n });
  });

  it('refuses "12.5" JPY as AMOUNT_TOO_PRECISE: yen has no decimal places', () => {
    expect(parseDecimalAmount("12.5", "JPY")).toEqual({ ok: false, code: "AMOUNT_TOO_PRECISE", message: "JPY has no decimal places." });
  });

  it("gives a message a person can act on with every refusal", () => {
    for (const input of ["", "abc", "1.234"]) {
      const result = parseDecimalAmount(input, "EUR");
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(/\w/);
    }
  });
});

describe("toDecimalString", () => {
  it.each<[bigint, Currency, string]>([
    [6_950n, "EUR", "69.50"],
    [5n, "EUR", "0.05"],
    [0n, "EUR", "0.00"],
    [-5n, "EUR", "-0.05"],
    [-6_950n, "GBP", "-69.50"],
    [1_200n, "JPY", "1200"],
    [0n, "JPY", "0"],
    [123_456_789_012_345_678n, "EUR", "1234567890123456.78"],
  ])("writes %s %s as %j", (amount, currency, text) => {
    expect(toDecimalString(amount, currency)).toBe(text);
  });

  it.each<[bigint, Currency]>([
    [1n, "EUR"],
    [6_950n, "EUR"],
    [100_000n, "USD"],
    [1_200n, "JPY"],
    [123_456_789_012_345_678n, "EUR"],
  ])("round-trips %s %s through parseDecimalAmount", (amount, currency) => {
    expect(parseDecimalAmount(toDecimalString(amount, currency), currency)).toEqual({ ok: true, amount });
  });
});

describe("formatMoney", () => {
  it("formats for en-GB by default", () => {
    expect(formatMoney(6_950n, "EUR")).toBe("€69.50");
  });

  it("keeps every digit of amounts beyond a float's precision", () => {
    expect(formatMoney(123_456_789_012_345_678n, "EUR")).toBe("€1,234,567,890,123,456.78");
    expect(formatMoney(9_007_199_254_740_993n, "JPY")).toBe("JP¥9,007,199,254,740,993");
  });

  it("shows the currency's minor units, zero and negatives", () => {
    expect(formatMoney(0n, "EUR")).toBe("€0.00");
    expect(formatMoney(5n, "GBP")).toBe("£0.05");
    expect(formatMoney(-6_950n, "USD")).toBe("-US$69.50");
    expect(formatMoney(1_200n, "JPY")).toBe("JP¥1,200");
  });

  it("follows the locale it is given", () => {
    expect(formatMoney(123_456n, "EUR", "de-DE")).toBe("1.234,56\u00a0€");
  });
});

describe("amounts marked in stored text", () => {
  const spaced = (text: string) => text.replace(/\s/gu, " ");

  it("formats each marked amount in the reader's locale, exactly, and leaves other text as it is", () => {
    const text = `${markMoney(123_456n, "EUR")} arrived, and ${markMoney(-5n, "JPY")} left.`;
    expect(formatMarkedMoney(text)).toBe(`€1,234.56 arrived, and ${formatMoney(-5n, "JPY")} left.`);
    expect(spaced(formatMarkedMoney(text, "de-DE"))).toBe(spaced(`1.234,56 € arrived, and ${formatMoney(-5n, "JPY", "de-DE")} left.`));
    expect(formatMarkedMoney(`${markMoney(9_007_199_254_740_993n, "USD")}`)).toBe("US$90,071,992,547,409.93");
    expect(formatMarkedMoney("Rent 12.00 EUR, no marks")).toBe("Rent 12.00 EUR, no marks");
  });

  it("shows a mark with no known currency as its plain text, never as money", () => {
    expect(formatMarkedMoney("\u001f100 XXX\u001f")).toBe("100 XXX");
  });
});
