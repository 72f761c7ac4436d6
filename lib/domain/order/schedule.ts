import { Temporal } from "temporal-polyfill";

/**
 * When a scheduled or standing order pays: local dates in the order's time zone, each paid at
 * PAYMENT_TIME local time and stored as an instant. Calendar arithmetic and time zones come from
 * the Temporal polyfill (month lengths, leap years, DST gaps and overlaps), never from hand-made
 * offsets. Pure: no clock; callers pass `now`.
 */
export type Schedule =
  | { readonly kind: "once"; readonly date: string }
  | { readonly kind: "weekly"; readonly startDate: string; readonly endDate: string | null; readonly count: number | null }
  | {
      readonly kind: "monthly";
      readonly startDate: string;
      /** 1 to 31; in a shorter month the payment is on its last day. */
      readonly dayOfMonth: number;
      readonly endDate: string | null;
      readonly count: number | null;
    };

/** Local time of day a payment goes out on its date. */
export const PAYMENT_TIME = "06:00";
/** Most payments one standing order may count, and how far ahead a first payment may be set. */
export const MAX_PAYMENT_COUNT = 520;
export const MAX_DAYS_AHEAD = 2 * 366;
/** A scan for the next date never runs away (a weekly order resumed after ten years is 520 steps). */
const MAX_SCAN = 20_000;

export function isTimeZone(value: string): boolean {
  if (value.length === 0 || value.length > 64) return false;
  try {
    Temporal.Now.instant().toZonedDateTimeISO(value);
    return true;
  } catch {
    return false;
  }
}

/** The date as YYYY-MM-DD, if it is a real calendar date written that way. */
export function isLocalDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  try {
    Temporal.PlainDate.from(value, { overflow: "reject" });
    return true;
  } catch {
    return false;
  }
}

/** The local date of payment `index` (0 is the first), or null when the schedule has ended before it. */
export function occurrenceDate(schedule: Schedule, index: number): string | null {
  if (index < 0 || !Number.isInteger(index)) return null;
  let date: Temporal.PlainDate;
  switch (schedule.kind) {
    case "once":
      return index === 0 ? schedule.date : null;
    case "weekly":
      date = Temporal.PlainDate.from(schedule.startDate).add({ weeks: index });
      break;
    case "monthly": {
      const start = Temporal.PlainDate.from(schedule.startDate);
      const inStartMonth = clampedDay(start.toPlainYearMonth(), schedule.dayOfMonth);
      // The first payment is the first such day on or after the start date.
      const skip = Temporal.PlainDate.compare(inStartMonth, start) < 0 ? 1 : 0;
      date = clampedDay(start.toPlainYearMonth().add({ months: index + skip }), schedule.dayOfMonth);
      break;
    }
  }
  if (schedule.count !== null && index >= schedule.count) return null;
  if (schedule.endDate !== null && Temporal.PlainDate.compare(date, Temporal.PlainDate.from(schedule.endDate)) > 0) return null;
  return date.toString();
}

function clampedDay(month: Temporal.PlainYearMonth, day: number): Temporal.PlainDate {
  return month.toPlainDate({ day: Math.min(day, month.daysInMonth) });
}

/**
 * The instant of PAYMENT_TIME on `date` in `timeZone`. A local time that does not exist (a DST
 * gap) moves forward by the gap; one that happens twice (a DST overlap) is the earlier.
 */
export function dueInstant(date: string, timeZone: string): string {
  return Temporal.PlainDate.from(date)
    .toZonedDateTime({ timeZone, plainTime: Temporal.PlainTime.from(PAYMENT_TIME) })
    .toInstant()
    .toString();
}

/** The first payment from `fromIndex` on that is due after `after` (an ISO instant), or null when none is. */
export function nextOccurrence(
  schedule: Schedule,
  timeZone: string,
  fromIndex: number,
  after: string,
): { readonly index: number; readonly dueAt: string } | null {
  const limit = Temporal.Instant.from(after);
  for (let index = fromIndex; index < fromIndex + MAX_SCAN; index++) {
    const date = occurrenceDate(schedule, index);
    if (date === null) return null;
    const dueAt = dueInstant(date, timeZone);
    if (Temporal.Instant.compare(Temporal.Instant.from(dueAt), limit) > 0) return { index, dueAt };
  }
  return null;
}

/** The payment after `index`, whenever it falls (a late run still pays every date once). */
export function followingOccurrence(schedule: Schedule, timeZone: string, index: number): { readonly index: number; readonly dueAt: string } | null {
  const date = occurrenceDate(schedule, index + 1);
  return date === null ? null : { index: index + 1, dueAt: dueInstant(date, timeZone) };
}

/** Today's date in `timeZone` at `now`. */
export function localDateAt(now: string, timeZone: string): string {
  return Temporal.Instant.from(now).toZonedDateTimeISO(timeZone).toPlainDate().toString();
}

/** Whole days from `from` to `to` (local dates). */
export function daysBetween(from: string, to: string): number {
  return Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to), { largestUnit: "days" }).days;
}

/** The schedule's first date (for display and for checks). */
export const firstDate = (schedule: Schedule): string => (schedule.kind === "once" ? schedule.date : schedule.startDate);

export const compareInstants = (a: string, b: string): number => Temporal.Instant.compare(Temporal.Instant.from(a), Temporal.Instant.from(b));
