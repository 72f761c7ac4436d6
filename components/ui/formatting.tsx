"use client";

import { createContext, useContext } from "react";

import { DEFAULT_FORMATTING, formatDate, formatDateTime, type Formatting } from "@/lib/domain/shared/format";

// The customer's locale and time zone, read once per request by the bank layout (lib/dal/formatting.ts)
// and handed down here, so every amount and date on a page uses the same ones.
const FormattingContext = createContext<Formatting>(DEFAULT_FORMATTING);

export function FormattingProvider({ value, children }: { value: Formatting; children: React.ReactNode }) {
  return <FormattingContext.Provider value={value}>{children}</FormattingContext.Provider>;
}

export const useFormatting = () => useContext(FormattingContext);

const STYLES = {
  datetime: formatDateTime,
  date: formatDate,
  time: (at: string | Date, f: Formatting) =>
    new Intl.DateTimeFormat(f.locale, { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: f.timeZone }).format(new Date(at)),
} as const;

/** An instant in the customer's locale and time zone, as a <time> with the machine value. */
export function When({ at, style = "datetime" }: { at: string; style?: keyof typeof STYLES }) {
  const formatting = useFormatting();
  return <time dateTime={at}>{STYLES[style](at, formatting)}</time>;
}
