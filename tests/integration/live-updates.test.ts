import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { depositMoney } from "@/lib/commands/accounts";
import { requestTransfer } from "@/lib/commands/transfers";
import { openLiveStream } from "@/lib/dal/live";
import type { DatabaseHandle } from "@/lib/db/client";
import { driveTransfer } from "@/lib/process-managers/transfer-runner";
import { livePositionNow, LOG_START, readLiveChanges } from "@/lib/read-models/live";

import { customerWithAccount } from "../support/bank";
import { context, meta } from "../support/commands";
import { backends, postgresBackends, type TestDatabase } from "../support/databases";

type Frame = { id?: string; event?: string; data?: string };

/** Reads Server-Sent Events off a response body, one frame at a time. */
function sseReader(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  return {
    async next(): Promise<Frame> {
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const frame: Frame = {};
          for (const line of block.split("\n")) {
            const [field, ...rest] = line.split(": ");
            const value = rest.join(": ");
            if (field === "id" || field === "event" || field === "data") frame[field] = value;
          }
          if (frame.id || frame.event) return frame;
          continue;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error("stream ended");
        buffer += decoder.decode(value, { stream: true });
      }
    },
    /** The next frame that is an event (skipping id-only frames). */
    async nextEvent(): Promise<Frame> {
      for (;;) {
        const frame = await this.next();
        if (frame.event) return frame;
      }
    },
    cancel: () => reader.cancel(),
  };
}

describe.each(backends)("live updates on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  const open = (userId: string, options: { lastEventId?: string; maxStreams?: number; handle?: DatabaseHandle } = {}) =>
    openLiveStream({
      handle: options.handle ?? t.handle,
      userId,
      lastEventId: options.lastEventId,
      maxStreams: options.maxStreams ?? 5,
      maxSeconds: 60,
    });

  it("reads only the owner's accounts and the transfers to or from them, in the global order", async () => {
    const alice = await customerWithAccount(t.db, { name: "Alice Live", balance: 5_000 });
    const bob = await customerWithAccount(t.db, { name: "Bob Live" });
    const start = await livePositionNow(t.db);
    await depositMoney(context(t.db), { accountId: alice.accountId, amount: 100 }, meta(alice.actor));
    const { transferId } = await requestTransfer(
      context(t.db),
      { fromAccountId: alice.accountId, toAccountId: bob.accountId, amount: 700 },
      meta(alice.actor),
    );
    await driveTransfer({ ctx: context(t.db), runnerId: "live-test" }, transferId);

    const forBob = await readLiveChanges(t.db, bob.user.id, start);
    const forAlice = await readLiveChanges(t.db, alice.user.id, start);
    // Bob never hears of Alice's deposit; he sees the transfer and the credit on his account.
    expect(forBob.changes.some((change) => change.id === alice.accountId)).toBe(false);
    expect(forBob.changes.map((change) => change.id)).toEqual(expect.arrayContaining([transferId, bob.accountId]));
    expect(forAlice.changes.map((change) => change.id)).toEqual(expect.arrayContaining([alice.accountId, transferId]));
    expect(forAlice.changes.some((change) => change.id === bob.accountId)).toBe(false);
    // Both readers end at the same place: past everyone's events.
    expect(forBob.position).toEqual(forAlice.position);
    expect(forBob.position).toEqual(await livePositionNow(t.db));
    const all = await readLiveChanges(t.db, alice.user.id, LOG_START, 10_000);
    expect(all.changes.length).toBeGreaterThan(forAlice.changes.length);
  });

  it("pushes a deposit into the signed-in customer's stream, woken by NOTIFY, and never another customer's", async () => {
    const dana = await customerWithAccount(t.db, { name: "Dana Watcher" });
    const eve = await customerWithAccount(t.db, { name: "Eve Other" });
    const response = await open(dana.user.id);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const sse = sseReader(response);
    const ready = await sse.nextEvent();
    expect(ready.event).toBe("ready");
    await depositMoney(context(t.db), { accountId: eve.accountId, amount: 999 }, meta(eve.actor));
    await depositMoney(context(t.db), { accountId: dana.accountId, amount: 2_500 }, meta(dana.actor));
    const change = await sse.nextEvent();
    expect(change.event).toBe("change");
    expect(JSON.parse(change.data!)).toEqual({ kind: "account", id: dana.accountId, type: "MoneyDeposited" });
    // Nothing of Eve's, and no amounts or names on the wire.
    expect(change.data).not.toContain(eve.accountId);
    expect(change.data).not.toContain("2500");
    await sse.cancel();
  });

  it("resumes after a reconnect from the Last-Event-ID, with what happened while it was away", async () => {
    const fay = await customerWithAccount(t.db, { name: "Fay Resume" });
    const first = sseReader(await open(fay.user.id));
    const ready = await first.nextEvent();
    await first.cancel();
    await depositMoney(context(t.db), { accountId: fay.accountId, amount: 300 }, meta(fay.actor));
    await depositMoney(context(t.db), { accountId: fay.accountId, amount: 400 }, meta(fay.actor));
    const again = sseReader(await open(fay.user.id, { lastEventId: ready.id }));
    expect(JSON.parse((await again.nextEvent()).data!)).toEqual({ resumed: true });
    const missed = [await again.nextEvent(), await again.nextEvent()];
    expect(missed.map((frame) => frame.event)).toEqual(["change", "change"]);
    expect(missed.every((frame) => JSON.parse(frame.data!).id === fay.accountId)).toBe(true);
    await again.cancel();
  });

  it("treats a Last-Event-ID that is not one of ours as a fresh start", async () => {
    const gus = await customerWithAccount(t.db, { name: "Gus Forged", balance: 100 });
    const sse = sseReader(await open(gus.user.id, { lastEventId: "1'; drop table events; --" }));
    expect(JSON.parse((await sse.nextEvent()).data!)).toEqual({ resumed: false });
    await sse.cancel();
  });

  it("bounds the streams one user has open, and frees the slot when a stream ends", async () => {
    const hal = await customerWithAccount(t.db, { name: "Hal Many" });
    const one = sseReader(await open(hal.user.id, { maxStreams: 2 }));
    const two = sseReader(await open(hal.user.id, { maxStreams: 2 }));
    await Promise.all([one.nextEvent(), two.nextEvent()]);
    const refused = await open(hal.user.id, { maxStreams: 2 });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");
    await one.cancel();
    // The slot is released by the stream's own clean-up, which runs after the cancel.
    let reopened = await open(hal.user.id, { maxStreams: 2 });
    for (let attempt = 0; reopened.status === 429 && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      reopened = await open(hal.user.id, { maxStreams: 2 });
    }
    expect(reopened.status).toBe(200);
    await reopened.body?.cancel();
    await two.cancel();
  });
});

describe.each(postgresBackends)("live updates across instances on $name", (backend) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await backend.create();
  });
  afterAll(() => t.drop());

  it("wakes a stream on one instance when another instance commits, and counts streams over both", async () => {
    const other = await t.openAnother(3);
    const ivy = await customerWithAccount(t.db, { name: "Ivy Instances" });
    const here = sseReader(await openLiveStream({ handle: t.handle, userId: ivy.user.id, maxStreams: 2, maxSeconds: 60 }));
    await here.nextEvent();
    const there = await openLiveStream({ handle: other, userId: ivy.user.id, maxStreams: 2, maxSeconds: 60 });
    expect(there.status).toBe(200);
    const refused = await openLiveStream({ handle: other, userId: ivy.user.id, maxStreams: 2, maxSeconds: 60 });
    expect(refused.status).toBe(429);
    await depositMoney(context(other.db), { accountId: ivy.accountId, amount: 1_234 }, meta(ivy.actor));
    expect(JSON.parse((await here.nextEvent()).data!)).toMatchObject({ kind: "account", id: ivy.accountId });
    await here.cancel();
    await there.body?.cancel();
  });
});
