import type { OrderDto } from "@/lib/dal/orders";

const ordinal = (day: number) =>
  `${day}${day % 10 === 1 && day !== 11 ? "st" : day % 10 === 2 && day !== 12 ? "nd" : day % 10 === 3 && day !== 13 ? "rd" : "th"}`;

/** "Monthly on the 31st (or the month's last day), from 2026-01-31, 12 times". */
export function scheduleText(schedule: OrderDto["schedule"]): string {
  if (schedule.kind === "once") return `Once, on ${schedule.date}`;
  const end = schedule.count !== null ? `, ${schedule.count} times` : schedule.endDate !== null ? `, until ${schedule.endDate}` : "";
  if (schedule.kind === "weekly") return `Weekly from ${schedule.startDate}${end}`;
  const last = schedule.dayOfMonth > 28 ? " (or the month's last day)" : "";
  return `Monthly on the ${ordinal(schedule.dayOfMonth)}${last}, from ${schedule.startDate}${end}`;
}

/** An instant as a date and time in the order's own time zone, in the customer's locale. */
export function localTime(instant: string, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(instant));
}

/** The order forms' "Repeat" choices. */
export const REPEAT_CHOICES = [
  { id: "once", label: "Once" },
  { id: "weekly", label: "Weekly" },
  { id: "monthly", label: "Monthly" },
] as const;
