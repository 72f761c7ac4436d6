/** Times in the back office are shown in UTC, to the second: audit work needs exact, unambiguous times. */
const dateTime = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  timeZone: "UTC",
});

export const formatUtc = (iso: string): string => `${dateTime.format(new Date(iso))} UTC`;

/** A value for <input type="datetime-local"> (read back as UTC). */
export const toDateTimeLocal = (iso: string): string => iso.slice(0, 19);
