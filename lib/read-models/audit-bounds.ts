/** A date (YYYY-MM-DD) is a whole UTC day; a date-time is that instant. */
export function auditBounds(from: string | undefined, to: string | undefined): { from?: Date; to?: Date } {
  const dayOnly = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value);
  return {
    from: from === undefined ? undefined : new Date(dayOnly(from) ? `${from}T00:00:00Z` : from),
    to: to === undefined ? undefined : dayOnly(to) ? new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000) : new Date(to),
  };
}
