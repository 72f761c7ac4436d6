/** ISO 4217 currencies an account may hold, with their minor-unit exponent. */
export const CURRENCIES = {
  EUR: { exponent: 2, name: "Euro" },
  USD: { exponent: 2, name: "US dollar" },
  GBP: { exponent: 2, name: "Pound sterling" },
  CHF: { exponent: 2, name: "Swiss franc" },
  SEK: { exponent: 2, name: "Swedish krona" },
  JPY: { exponent: 0, name: "Japanese yen" },
} as const;

export type Currency = keyof typeof CURRENCIES;

export const CURRENCY_CODES = Object.keys(CURRENCIES) as [Currency, ...Currency[]];

export function isCurrency(value: unknown): value is Currency {
  return typeof value === "string" && Object.hasOwn(CURRENCIES, value);
}

export function minorUnitExponent(currency: Currency): number {
  return CURRENCIES[currency].exponent;
}

/** "EUR, USD, GBP, CHF, SEK or JPY": for copy that names what an account may hold. */
export function currencyList(): string {
  return `${CURRENCY_CODES.slice(0, -1).join(", ")} or ${CURRENCY_CODES.at(-1)}`;
}
