import type { StatementEntryDto } from "../dal/accounts";
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

/** The statement rows as CSV, newest first, amounts as plain decimals in the account's currency. */
export function statementCsv(
  entries: StatementEntryDto[],
  toDecimal: (amount: bigint, currency: Currency) => string,
): string {
  const header = ["Date (UTC)", "Type", "Outcome", "Amount", "Balance after", "Currency", "Reference", "Refusal reason", "Counterparty"];
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
      ]
        .map(csvField)
        .join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}
