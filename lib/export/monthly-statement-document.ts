import type { MonthlyFigures, StatementMonth } from "../domain/account/monthly-statement";
import type { Currency } from "../domain/shared/currency";
import { formatDate, formatDateTime, formatMonth, type Formatting } from "../domain/shared/format";
import { formatMoney } from "../domain/shared/money";
import { rejectionText } from "../errors/messages";
import type { StatementPdfInput } from "./statement-pdf";

const KIND: Record<string, string> = { deposit: "Deposit", withdrawal: "Withdrawal", transfer_in: "Transfer in", transfer_out: "Transfer out" };

type Entry = {
  kind: string;
  outcome: "posted" | "rejected";
  amount: string;
  balanceChange: string;
  balanceAfter: string;
  reference: string | null;
  counterparty: string | null;
  rejectionCode: string | null;
  recordedAt: string;
};

/**
 * What the PDF prints, from the figures and entries of one month, formatted the way the portal
 * formats them for this customer (same Intl formatters, same locale and time zone).
 */
export function monthlyStatementDocument(input: {
  statement: { month: StatementMonth; start: Date; end: Date; timeZone: string; figures: MonthlyFigures; entries: readonly Entry[] };
  account: { label: string; displayNumber: string; currency: Currency };
  holder: string;
  formatting: Formatting;
  now: Date;
}): StatementPdfInput {
  const { statement, account, formatting } = input;
  const money = (amount: bigint, signed = false) => {
    const text = formatMoney(amount, account.currency, formatting.locale);
    return signed && amount > 0n ? `+${text}` : text;
  };
  const monthLabel = formatMonth(statement.month, formatting);
  const lastDay = new Date(statement.end.getTime() - 1);
  return {
    title: `Statement for ${monthLabel}`,
    holder: input.holder,
    accountLabel: account.label,
    accountNumber: account.displayNumber,
    currency: account.currency,
    monthLabel,
    period: `${formatDate(statement.start, formatting)} – ${formatDate(lastDay, formatting)} (times in ${statement.timeZone})`,
    figures: statement.figures,
    formatted: {
      opening: money(statement.figures.opening),
      moneyIn: money(statement.figures.moneyIn),
      moneyOut: money(-statement.figures.moneyOut),
      closing: money(statement.figures.closing),
    },
    lines: statement.entries.map((entry) => {
      const refused = entry.outcome === "rejected";
      const label = KIND[entry.kind] ?? entry.kind;
      const details = [entry.counterparty, entry.reference, refused ? `Refused: ${rejectionText(entry.rejectionCode)}` : null]
        .filter(Boolean)
        .join(" · ");
      return {
        date: formatDateTime(entry.recordedAt, formatting),
        movement: refused ? `${label} refused` : label,
        details,
        amount: refused ? `(${money(BigInt(entry.amount))})` : money(BigInt(entry.balanceChange), true),
        balance: money(BigInt(entry.balanceAfter)),
        refused,
      };
    }),
    generatedAt: input.now,
    generatedLabel: `Made ${formatDateTime(input.now, formatting)}`,
  };
}
