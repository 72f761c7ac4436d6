"use client";

import type { Currency } from "@/lib/domain/shared/currency";
import { formatMoney } from "@/lib/domain/shared/money";

import { useFormatting } from "./formatting";

/** Minor units (as a string, from a DTO) formatted for the account's currency in the customer's locale. */
export function Money({ amount, currency, signed = false }: { amount: string | bigint; currency: Currency; signed?: boolean }) {
  const { locale } = useFormatting();
  const value = typeof amount === "bigint" ? amount : BigInt(amount);
  const text = formatMoney(value, currency, locale);
  return <span className="money">{signed && value > 0n ? `+${text}` : text}</span>;
}
