import type { StatementEntryDto } from "../dal/accounts";
import { localDateAt } from "../domain/order/schedule";
import type { Currency } from "../domain/shared/currency";
import { rejectionText } from "../errors/messages";

const KIND = { deposit: "Deposit", withdrawal: "Withdrawal", transfer_in: "Transfer in", transfer_out: "Transfer out" } as Record<string, string>;

/**
 * RFC 4180 field. Text starting with =, +, - or @ (a customer's reference, say) is neutralised so a
 * spreadsheet does not run it as a formula; plain numbers such as -30.50 are left as numbers.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * The statement rows as CSV, newest first. Machine formats whatever the customer's language: the
 * instant in ISO 8601 UTC, amounts as plain decimals with a point in the account's currency; the
 * last column is the date in the customer's time zone (YYYY-MM-DD), the day the portal shows.
 */
export function statementCsv(entries: StatementEntryDto[], toDecimal: (amount: bigint, currency: Currency) => string, timeZone = "UTC"): string {
  const header = [
    "Date (UTC)",
    "Type",
    "Outcome",
    "Amount",
    "Balance after",
    "Currency",
    "Reference",
    "Refusal reason",
    "Counterparty",
    `Local date (${timeZone})`,
  ];
  const lines = [header.join(",")];
  for (const entry of entries) {
    const amount = entry.outcome === "rejected" ? BigInt(entry.amount) : BigInt(entry.balanceChange);
    lines.push(
      [
        entry.recordedAt,
        KIND[entry.kind] ?? entry.kind,
        entry.outcome,
        toDecimal(amount, entry.currency),
        toDecimal(BigInt(entry.balanceAfter), entry.currency),
        entry.currency,
        entry.reference ?? "",
        entry.rejectionCode ? rejectionText(entry.rejectionCode) : "",
        entry.counterparty ?? "",
        localDateAt(entry.recordedAt, timeZone),
      ]
        .map(csvField)
        .join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}
