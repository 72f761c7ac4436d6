import { isCurrency, minorUnitExponent, type Currency } from "./currency";

/** An amount in integer minor units (cents, pence, yen) of one currency. Never a float. */
export type Money = { readonly amount: bigint; readonly currency: Currency };

export type ParseAmountResult =
  { ok: true; amount: bigint } | { ok: false; code: "AMOUNT_REQUIRED" | "AMOUNT_INVALID" | "AMOUNT_TOO_PRECISE"; message: string };

/**
 * Parses what a person typed ("1,234.50", "30.5", "100") into minor units of `currency`,
 * by string arithmetic only. Group separators (comma, space, underscore, apostrophe) are accepted
 * between thousands; a sign, an exponent, or more decimals than the currency has (even zeros) are refused.
 */
export function parseDecimalAmount(input: string, currency: Currency): ParseAmountResult {
  const text = input.trim();
  if (text === "") return { ok: false, code: "AMOUNT_REQUIRED", message: "Enter an amount." };
  // One kind of group separator throughout ("1,000,000" or "1 000 000", never "1,000 000").
  const match = /^(?<whole>\d{1,3}(?<sep>[,' _])\d{3}(?:\k<sep>\d{3})*|\d+)?(?:\.(?<fraction>\d*))?$/.exec(text);
  const groups = match?.groups ?? {};
  if (!match || (groups.whole === undefined && !groups.fraction)) {
    return { ok: false, code: "AMOUNT_INVALID", message: "Enter an amount as a number, like 25 or 25.50." };
  }
  const whole = (groups.whole ?? "0").replace(/[,' _]/g, "");
  // Extra decimals are refused even when they are zeros: "1.000" may mean one thousand to the
  // person typing it, and charging them 1.00 instead would be worse than asking again.
  const fraction = groups.fraction ?? "";
  const exponent = minorUnitExponent(currency);
  if (fraction.length > exponent) {
    const message = exponent === 0 ? `${currency} has no decimal places.` : `Use at most ${exponent} decimal places for ${currency}.`;
    return { ok: false, code: "AMOUNT_TOO_PRECISE", message };
  }
  const amount = BigInt(whole) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, "0") || "0");
  return { ok: true, amount };
}

/** Minor units as a plain decimal string in major units ("6950" EUR -> "69.50"), for CSV and inputs. */
export function toDecimalString(amount: bigint, currency: Currency): string {
  const exponent = minorUnitExponent(currency);
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? "-" : ""}${whole}${exponent > 0 ? `.${fraction}` : ""}`;
}

const formatters = new Map<string, Intl.NumberFormat>();

/** Formats for people with Intl.NumberFormat; bigint keeps every digit exact. */
export function formatMoney(amount: bigint, currency: Currency, locale = "en-GB"): string {
  const key = `${locale}:${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    const digits = minorUnitExponent(currency);
    formatter = new Intl.NumberFormat(locale, {
      style: "currency",
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    formatters.set(key, formatter);
  }
  // Intl accepts decimal strings exactly ("69.50"), so no float ever carries the amount.
  return formatter.format(toDecimalString(amount, currency) as `${number}`);
}

// Amounts inside stored text (a notification's body, its mail) are kept as marks and formatted
// when they are shown, in the reader's locale. The mark is U+001F around "<minor units> <currency>":
// every text a person can type refuses control characters, so no one can forge one.
const MARK = "\u001f";
const MARKED = /\u001f(-?\d{1,19}) ([A-Z]{3})\u001f/g;

/** An amount to be formatted when the text is read. */
export const markMoney = (amount: bigint, currency: Currency): string => `${MARK}${amount} ${currency}${MARK}`;

/** The text with every marked amount formatted in `locale` (text without marks comes back as it is). */
export function formatMarkedMoney(text: string, locale = "en-GB"): string {
  return text.replace(MARKED, (whole, minor: string, currency: string) =>
    isCurrency(currency) ? formatMoney(BigInt(minor), currency, locale) : whole.replaceAll(MARK, ""),
  );
}
