import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { openLoop, type Clock, type OpenLoopResult } from "@/bench/load";

// Fake timers make the timetable exact: Date.now() and setTimeout move only when the test says.
const clock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };
const answerAfter = (ms: number) => () => new Promise<number>((resolve) => setTimeout(() => resolve(200), ms));

async function run(options: {
  ratePerSecond: number;
  seconds: number;
  maxInFlight: number;
  graceSeconds?: number;
  send: (sequence: number) => Promise<number>;
}) {
  const results: OpenLoopResult<number>[] = [];
  const done = openLoop({ ...options, clock, onResult: (result) => results.push(result) });
  await vi.runAllTimersAsync();
  const counts = await done;
  return { counts, results: results.sort((a, b) => a.sequence - b.sequence) };
}

describe("openLoop", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends every request at its scheduled time without waiting for earlier answers", async () => {
    // 100/s for 0.1 s: ten requests 10 ms apart, each answered after 35 ms, so up to four overlap.
    const { counts, results } = await run({ ratePerSecond: 100, seconds: 0.1, maxInFlight: 256, send: answerAfter(35) });
    expect(results.map((r) => r.sentAt - r.scheduledAt)).toEqual(Array(10).fill(0));
    expect(results.map((r) => r.scheduledAt - 1_000_000)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(results.map((r) => r.latencyMs)).toEqual(Array(10).fill(35));
    expect(counts).toMatchObject({ scheduled: 10, sent: 10, unsent: 0, sentLate: 0, waitedForSlot: 0, peakInFlight: 4 });
  });

  it("times latency from the scheduled start, so a queue behind the in-flight bound shows", async () => {
    // Two slots, 100 ms per answer, a request every 10 ms: request i is sent when a slot frees and
    // its latency includes that wait. A closed loop would have reported 100 ms for all of them.
    const { counts, results } = await run({ ratePerSecond: 100, seconds: 0.1, maxInFlight: 2, graceSeconds: 1, send: answerAfter(100) });
    expect(results.map((r) => r.sentAt - r.scheduledAt)).toEqual([0, 0, 80, 80, 160, 160, 240, 240, 320, 320]);
    expect(results.map((r) => r.latencyMs)).toEqual([100, 100, 180, 180, 260, 260, 340, 340, 420, 420]);
    expect(counts).toMatchObject({
      scheduled: 10,
      sent: 10,
      unsent: 0,
      sentLate: 8,
      waitedForSlot: 8,
      maxSendLagMs: 320,
      peakInFlight: 2,
      elapsedMs: 510,
    });
  });

  it("sends nothing after the timetable and the grace period and counts what never went", async () => {
    // One slot, 300 ms per answer, ten requests due within 0.1 s, 0.45 s of grace: requests 0 and 1
    // go (at 0 and 300 ms), request 2 would go at 600 ms, after the close at 100 + 450 ms.
    const { counts, results } = await run({ ratePerSecond: 100, seconds: 0.1, maxInFlight: 1, graceSeconds: 0.45, send: answerAfter(300) });
    expect(results.map((r) => [r.sequence, r.latencyMs])).toEqual([
      [0, 300],
      [1, 590],
    ]);
    expect(counts).toMatchObject({ scheduled: 10, sent: 2, unsent: 8, waitedForSlot: 1, elapsedMs: 600 });
  });

  it("reports a failed send with its latency and keeps the timetable", async () => {
    const send = (sequence: number) => (sequence === 1 ? Promise.reject(new Error("reset")) : answerAfter(5)());
    const { counts, results } = await run({ ratePerSecond: 50, seconds: 0.06, maxInFlight: 8, send });
    expect(results.map((r) => [r.sequence, r.ok, r.latencyMs])).toEqual([
      [0, true, 5],
      [1, false, 0],
      [2, true, 5],
    ]);
    expect(counts).toMatchObject({ scheduled: 3, sent: 3, unsent: 0 });
  });
});
