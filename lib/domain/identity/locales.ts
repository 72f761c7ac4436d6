/** The languages a customer may format dates and money in (a bounded list: what we test). */
export const LOCALES = ["en-GB", "en-US", "de-DE", "fr-FR", "nl-NL"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en-GB";

export const LOCALE_LABELS: Record<Locale, string> = {
  "en-GB": "English (United Kingdom)",
  "en-US": "English (United States)",
  "de-DE": "Deutsch (Deutschland)",
  "fr-FR": "Français (France)",
  "nl-NL": "Nederlands (Nederland)",
};

export const isLocale = (value: unknown): value is Locale => typeof value === "string" && (LOCALES as readonly string[]).includes(value);
