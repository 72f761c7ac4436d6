import type { Currency } from "../domain/shared/currency";
import { formatMoney, toDecimalString } from "../domain/shared/money";
import type { AuditChange, AuditRowDto } from "../read-models/audit";
import { csvField } from "./statement-csv";

const FIELD_LABELS: Record<string, string> = {
  status: "Status",
  balance: "Balance",
  reserved: "Reserved",
  available: "Available",
  freezeCategory: "Freeze category",
  nickname: "Nickname",
  role: "Role",
};
const MONEY_FIELDS = new Set(["balance", "reserved", "available"]);

/**
 * "Balance: €25.00 → €30.00" for each changed field. Money is stored in minor units; it is shown in
 * the account's currency, or as raw minor units when the row has none.
 */
export function describeChanges(changes: Record<string, AuditChange>, currency: Currency | null, style: "display" | "plain" = "display"): string[] {
  const show = (field: string, value: string | null): string => {
    if (value === null) return "none";
    if (MONEY_FIELDS.has(field) && currency && /^-?\d+$/.test(value)) {
      return style === "display" ? formatMoney(BigInt(value), currency) : `${toDecimalString(BigInt(value), currency)} ${currency}`;
    }
    return value.replaceAll("_", " ");
  };
  return Object.entries(changes).map(([field, change]) => `${FIELD_LABELS[field] ?? field}: ${show(field, change.from)} → ${show(field, change.to)}`);
}

export const AUDIT_CSV_HEADER = [
  "Global position",
  "Recorded at (UTC)",
  "Actor id",
  "Actor email",
  "Actor role",
  "Event type",
  "Outcome",
  "Stream",
  "Stream position",
  "Account id",
  "Account number",
  "Customer id",
  "Customer email",
  "Summary",
  "Reason",
  "Changes",
];

/** The audit rows as RFC 4180 CSV, newest first, in the order given. */
export function auditCsv(rows: readonly AuditRowDto[]): string {
  const lines = [AUDIT_CSV_HEADER.join(",")];
  for (const row of rows) {
    lines.push(
      [
        row.position,
        row.recordedAt,
        row.actorId,
        row.actorEmail ?? "",
        row.actorRole,
        row.eventType,
        row.outcome,
        row.streamId,
        row.streamPosition,
        row.accountId ?? "",
        row.accountNumber ?? "",
        row.customerId ?? "",
        row.customerEmail ?? "",
        row.summary,
        row.reason ?? "",
        describeChanges(row.changes, row.currency, "plain").join("; "),
      ]
        .map(csvField)
        .join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}
