/**
 * Human-readable account numbers: "LL" + two check digits + eight digits, checked with ISO 7064
 * MOD 97-10 as IBANs are, so a mistyped digit or swapped pair is caught before money moves.
 * Shown grouped: "LL42 1234 5678".
 */
const PREFIX = "LL";

function checkDigits(body: string): string {
  // Letters count as 10..35 and the country part moves to the end, as in IBAN.
  const expanded = `${body}${PREFIX}00`.replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of expanded) remainder = (remainder * 10 + Number(digit)) % 97;
  return String(98 - remainder).padStart(2, "0");
}

/** Builds a number from eight digits (the caller picks them at random). */
export function accountNumberFromDigits(digits: string): string {
  if (!/^\d{8}$/.test(digits)) throw new Error("account number body must be eight digits");
  return `${PREFIX}${checkDigits(digits)}${digits}`;
}

/** Accepts what a person types ("ll42 1234-5678") and returns the canonical form, or null. */
export function normaliseAccountNumber(input: string): string | null {
  const compact = input.replace(/[\s-]/g, "").toUpperCase();
  const match = /^LL(\d{2})(\d{8})$/.exec(compact);
  if (!match) return null;
  return checkDigits(match[2] as string) === match[1] ? compact : null;
}

export function formatAccountNumber(number: string): string {
  return number.replace(/(.{4})(?=.)/g, "$1 ");
}
