import type { StatementMonth } from "../account/monthly-statement";
import { DEFAULT_LOCALE, type Locale } from "../identity/locales";

/**
 * How one customer reads dates and money: their locale and time zone. Every page, the CSV's
 * header and the PDF take one of these (from lib/dal/formatting.ts, once per request) instead of
 * a locale written into each formatter.
 */
export type Formatting = { readonly locale: Locale; readonly timeZone: string };

export const DEFAULT_FORMATTING: Formatting = { locale: DEFAULT_LOCALE, timeZone: "UTC" };

const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: string, f: Formatting, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${kind}:${f.locale}:${f.timeZone}`;
  let found = cache.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat(f.locale, { ...options, timeZone: f.timeZone });
    // Bounded: five locales times the time zones customers actually use.
    if (cache.size > 2_000) cache.clear();
    cache.set(key, found);
  }
  return found;
}

const toDate = (at: string | Date) => (typeof at === "string" ? new Date(at) : at);

/** "3 Nov 2026, 14:05" (en-GB) or "03.11.2026, 14:05" (de-DE), in the customer's time zone. */
export const formatDateTime = (at: string | Date, f: Formatting) =>
  formatter("dt", f, { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" }).format(toDate(at));

/** The date alone, in the customer's time zone. */
export const formatDate = (at: string | Date, f: Formatting) =>
  formatter("d", f, { day: "numeric", month: "short", year: "numeric" }).format(toDate(at));

/** "November 2026" in the customer's language (the month itself is a calendar month, not an instant). */
export function formatMonth(month: StatementMonth, f: Pick<Formatting, "locale">): string {
  // Mid-month at noon UTC is in that month in every time zone.
  return formatter("m", { locale: f.locale, timeZone: "UTC" }, { month: "long", year: "numeric" }).format(
    new Date(Date.UTC(month.year, month.month - 1, 15, 12)),
  );
}

/** "Nov" (short month name) for chart axes. */
export function formatShortMonth(month: StatementMonth, f: Pick<Formatting, "locale">): string {
  return formatter("sm", { locale: f.locale, timeZone: "UTC" }, { month: "short" }).format(new Date(Date.UTC(month.year, month.month - 1, 15, 12)));
}
