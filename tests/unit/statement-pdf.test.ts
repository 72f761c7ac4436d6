import { describe, expect, it } from "vitest";

import { monthlyFigures } from "@/lib/domain/account/monthly-statement";
import { formatMoney } from "@/lib/domain/shared/money";
import { monthlyStatementDocument } from "@/lib/export/monthly-statement-document";
import { monthlyStatementPdf } from "@/lib/export/statement-pdf";

import { pdfPageCount, pdfText } from "../support/pdf-text";

const start = new Date("2026-10-31T23:00:00Z");
const end = new Date("2026-11-30T23:00:00Z");

function entries(count: number, reference: string) {
  let balance = 1_000n;
  return Array.from({ length: count }, (_, i) => {
    balance += 250n;
    return {
      kind: "deposit",
      outcome: "posted" as const,
      amount: "250",
      balanceChange: "250",
      balanceAfter: balance.toString(),
      reference,
      counterparty: null,
      rejectionCode: null,
      recordedAt: new Date(start.getTime() + (i + 1) * 60_000).toISOString(),
    };
  });
}

function document(list: ReturnType<typeof entries>, locale: "fr-FR" | "en-GB") {
  const figures = monthlyFigures(
    1_000n,
    list.map((e) => ({ outcome: e.outcome, balanceChange: BigInt(e.balanceChange) })),
  );
  return monthlyStatementDocument({
    statement: { month: { year: 2026, month: 11 }, start, end, timeZone: "Europe/Paris", figures, entries: list },
    account: { label: "Everyday", displayNumber: "NL00 LDGR 0000 0000 01", currency: "EUR" },
    holder: "Zoë Łukasz",
    formatting: { locale, timeZone: "Europe/Paris" },
    now: new Date("2026-12-01T08:00:00Z"),
  });
}

describe("the monthly statement PDF", () => {
  it("prints the figures it was given in the customer's locale, and runs onto further pages with their numbers", async () => {
    const list = entries(120, "Loyer");
    const bytes = await monthlyStatementPdf(document(list, "fr-FR"));
    const pages = await pdfPageCount(bytes);
    expect(pages).toBeGreaterThan(1);
    const text = (await pdfText(bytes)).replace(/\s/gu, " ");
    expect(text).toContain("novembre 2026");
    expect(text).toContain(formatMoney(31_000n, "EUR", "fr-FR").replace(/\s/gu, " "));
    expect(text).toContain(`page ${pages} of ${pages}`);
    expect(text.match(/Loyer/g)).toHaveLength(120);
  });

  it("replaces what the standard font cannot draw instead of failing, and says when a month had no movement", async () => {
    const bytes = await monthlyStatementPdf(document([], "en-GB"));
    const text = await pdfText(bytes);
    expect(text).toContain("Zoë ?ukasz");
    expect(text).toContain("No movements this month: the closing balance is the opening balance.");
    expect(text.replace(/\s/gu, " ")).toContain("Closing balance\n€10.00".replace(/\s/gu, " "));
  });
});
