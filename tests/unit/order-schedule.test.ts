import { describe, expect, it } from "vitest";

import { dueInstant, isLocalDate, isTimeZone, localDateAt, nextOccurrence, occurrenceDate, type Schedule } from "@/lib/domain/order/schedule";

const dates = (schedule: Schedule, n: number) => Array.from({ length: n }, (_, index) => occurrenceDate(schedule, index));
const monthly = (startDate: string, dayOfMonth: number, end: { endDate?: string; count?: number } = {}): Schedule => ({
  kind: "monthly",
  startDate,
  dayOfMonth,
  endDate: end.endDate ?? null,
  count: end.count ?? null,
});

describe("order schedule", () => {
  it("pays on the 31st, or the month's last day when it is shorter", () => {
    expect(dates(monthly("2025-01-01", 31), 5)).toEqual(["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30", "2025-05-31"]);
  });

  it("pays on 29 February in a leap year and on the 28th in others", () => {
    expect(dates(monthly("2024-02-01", 29, { count: 1 }), 1)).toEqual(["2024-02-29"]);
    const yearly = Array.from({ length: 5 }, (_, year) => occurrenceDate(monthly("2023-02-01", 29), year * 12));
    expect(yearly).toEqual(["2023-02-28", "2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28"]);
  });

  it("starts in the next month when the day has passed in the start month", () => {
    expect(occurrenceDate(monthly("2025-03-20", 5), 0)).toBe("2025-04-05");
    expect(occurrenceDate(monthly("2025-03-05", 5), 0)).toBe("2025-03-05");
  });

  it("pays weekly on the start date's weekday, across a year end", () => {
    expect(dates({ kind: "weekly", startDate: "2025-12-17", endDate: null, count: null }, 4)).toEqual([
      "2025-12-17",
      "2025-12-24",
      "2025-12-31",
      "2026-01-07",
    ]);
  });

  it("ends after its count or on its end date", () => {
    expect(dates(monthly("2025-01-15", 15, { count: 2 }), 3)).toEqual(["2025-01-15", "2025-02-15", null]);
    expect(dates(monthly("2025-01-15", 15, { endDate: "2025-03-14" }), 3)).toEqual(["2025-01-15", "2025-02-15", null]);
    expect(dates({ kind: "once", date: "2025-06-01" }, 2)).toEqual(["2025-06-01", null]);
  });

  it("pays at 06:00 local time, whatever the offset that day (DST starts and ends)", () => {
    // Berlin: CET (UTC+1) in winter, CEST (UTC+2) from the last Sunday of March.
    expect(dueInstant("2025-03-29", "Europe/Berlin")).toBe("2025-03-29T05:00:00Z");
    expect(dueInstant("2025-03-30", "Europe/Berlin")).toBe("2025-03-30T04:00:00Z");
    expect(dueInstant("2025-10-26", "Europe/Berlin")).toBe("2025-10-26T05:00:00Z");
    expect(dueInstant("2025-03-09", "America/New_York")).toBe("2025-03-09T10:00:00Z");
    expect(dueInstant("2025-03-08", "America/New_York")).toBe("2025-03-08T11:00:00Z");
  });

  it("keeps the local date when the order's time zone is far from UTC", () => {
    const due = dueInstant("2025-01-01", "Pacific/Kiritimati");
    expect(due).toBe("2024-12-31T16:00:00Z");
    expect(localDateAt(due, "Pacific/Kiritimati")).toBe("2025-01-01");
  });

  it("after a pause, the next payment is the first still in the future", () => {
    const schedule = monthly("2025-01-01", 10);
    expect(nextOccurrence(schedule, "UTC", 0, "2025-04-10T07:00:00Z")).toEqual({ index: 4, dueAt: "2025-05-10T06:00:00Z" });
    expect(nextOccurrence(schedule, "UTC", 0, "2025-04-10T05:59:00Z")).toEqual({ index: 3, dueAt: "2025-04-10T06:00:00Z" });
    expect(nextOccurrence(monthly("2025-01-01", 10, { count: 2 }), "UTC", 0, "2025-04-01T00:00:00Z")).toBeNull();
  });

  it("tells real dates and time zones from anything else", () => {
    expect(isLocalDate("2024-02-29")).toBe(true);
    expect(isLocalDate("2025-02-29")).toBe(false);
    expect(isLocalDate("2025-1-01")).toBe(false);
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(isTimeZone("")).toBe(false);
  });
});
