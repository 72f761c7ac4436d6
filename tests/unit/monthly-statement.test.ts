import fc from "fast-check";
import { describe, expect, it } from "vitest";

import {
  monthBounds,
  monthlyFigures,
  monthOf,
  monthsBetween,
  monthText,
  parseStatementMonth,
  startOfDay,
  type StatementMonth,
} from "@/lib/domain/account/monthly-statement";

type Entry = { outcome: "posted" | "rejected"; balanceChange: bigint; balanceAfter: bigint; at: number };

// A ledger as the projection writes it: a running balance, refused attempts that change nothing.
const ledger = fc
  .array(
    fc.record({
      rejected: fc.boolean(),
      change: fc.bigInt({ min: -5_000_000n, max: 5_000_000n }),
      gap: fc.integer({ min: 1, max: 20 * 86_400_000 }),
    }),
    { maxLength: 80 },
  )
  .map((steps) => {
    let balance = 0n;
    let at = Date.UTC(2025, 10, 20);
    return steps.map(({ rejected, change, gap }): Entry => {
      at += gap;
      if (!rejected) balance += change;
      return { outcome: rejected ? "rejected" : "posted", balanceChange: rejected ? 0n : change, balanceAfter: balance, at };
    });
  });

const zones = fc.constantFrom("UTC", "Europe/Berlin", "America/New_York", "Pacific/Auckland", "Asia/Kolkata");

describe("monthly statement figures", () => {
  it("opening + movements = closing, each month opens at the last one's close, and closing is the balance after the month's last entry", () => {
    fc.assert(
      fc.property(ledger, zones, (entries, timeZone) => {
        if (entries.length === 0) return;
        const months = monthsBetween(monthOf(new Date(entries[0]!.at), timeZone), monthOf(new Date(entries.at(-1)!.at), timeZone), 1_000).reverse();
        let previousClose: bigint | undefined;
        for (const month of months) {
          const { start, end } = monthBounds(month, timeZone);
          // What readMonthEntries does in SQL: the balance after the last entry before the month.
          const before = entries.filter((e) => e.at < start.getTime()).at(-1);
          const inMonth = entries.filter((e) => e.at >= start.getTime() && e.at < end.getTime());
          const figures = monthlyFigures(before?.balanceAfter ?? 0n, inMonth);
          const sum = inMonth.reduce((total, e) => total + e.balanceChange, 0n);
          expect(figures.opening + sum).toBe(figures.closing);
          expect(figures.opening + figures.moneyIn - figures.moneyOut).toBe(figures.closing);
          expect(figures.moneyIn >= 0n && figures.moneyOut >= 0n).toBe(true);
          expect(figures.closing).toBe(inMonth.at(-1)?.balanceAfter ?? figures.opening);
          if (previousClose !== undefined) expect(figures.opening).toBe(previousClose);
          previousClose = figures.closing;
        }
        expect(previousClose).toBe(entries.at(-1)!.balanceAfter);
      }),
    );
  });

  it("a month with no movement opens and closes on the same balance", () => {
    expect(monthlyFigures(12_345n, [])).toEqual({ opening: 12_345n, moneyIn: 0n, moneyOut: 0n, closing: 12_345n, movements: 0 });
  });

  it("refused attempts are listed but move nothing", () => {
    const figures = monthlyFigures(100n, [
      { outcome: "posted", balanceChange: 50n },
      { outcome: "rejected", balanceChange: 0n },
      { outcome: "posted", balanceChange: -30n },
    ]);
    expect(figures).toEqual({ opening: 100n, moneyIn: 50n, moneyOut: 30n, closing: 120n, movements: 2 });
  });
});

describe("statement months", () => {
  it("reads only YYYY-MM months", () => {
    expect(parseStatementMonth("2026-11")).toEqual({ year: 2026, month: 11 });
    for (const bad of ["2026-13", "2026-00", "2026-1", "26-11", "2026-11-01", "", " 2026-11", "1969-12", null, 202611]) {
      expect(parseStatementMonth(bad)).toBeNull();
    }
  });

  it("a month runs from the customer's midnight on the 1st to the next month's, across DST and year ends", () => {
    const berlin = monthBounds({ year: 2026, month: 10 }, "Europe/Berlin");
    expect(berlin.start.toISOString()).toBe("2026-09-30T22:00:00.000Z"); // summer time
    expect(berlin.end.toISOString()).toBe("2026-10-31T23:00:00.000Z"); // winter time
    const december = monthBounds({ year: 2026, month: 12 }, "UTC");
    expect(december.end.toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(startOfDay("2026-11-30", "America/New_York", 1).toISOString()).toBe("2026-12-01T05:00:00.000Z");
  });

  it("lists months newest first from the opening month", () => {
    const months = monthsBetween({ year: 2025, month: 11 }, { year: 2026, month: 2 }, 10).map((m: StatementMonth) => monthText(m));
    expect(months).toEqual(["2026-02", "2026-01", "2025-12", "2025-11"]);
    expect(monthOf(new Date("2026-11-30T23:30:00Z"), "Europe/Berlin")).toEqual({ year: 2026, month: 12 });
  });
});
