import { describe, expect, it } from "vitest";

import { WireTap } from "@/bench/roundtrips";

/** A server→client protocol message as the proxy hands it on: its type and body. */
const message = (type: string, body: Buffer = Buffer.alloc(0)): [string, Buffer] => [type, body];
const complete = (tag: string) => message("C", Buffer.from(`${tag}\0`, "latin1"));
const ready = (status: "I" | "T" | "E") => message("Z", Buffer.from(status, "latin1"));
const failure = () => message("E", Buffer.from("SERROR\0C23505\0\0", "latin1"));

describe("WireTap", () => {
  it("tells explicit COMMITs, autocommitted statements, committed writes and rollbacks apart", () => {
    const stream: [string, Buffer][] = [
      // start-up: authentication ok, a parameter, the key, ready
      message("R", Buffer.from([0, 0, 0, 0])),
      message("S", Buffer.from("TimeZone\0UTC\0", "latin1")),
      message("K", Buffer.alloc(8)),
      ready("I"),
      // token lookup, then the idempotency claim: one autocommit that reads, one that writes
      complete("SELECT 1"),
      ready("I"),
      complete("INSERT 0 1"),
      ready("I"),
      // the command's block
      complete("BEGIN"),
      ready("T"),
      complete("SELECT 1"),
      ready("T"),
      complete("INSERT 0 1"),
      ready("T"),
      complete("UPDATE 1"),
      ready("T"),
      complete("COMMIT"),
      ready("I"),
      // the stored response
      complete("UPDATE 1"),
      ready("I"),
      // a block that failed, then a statement that failed on its own
      complete("BEGIN"),
      ready("T"),
      failure(),
      ready("E"),
      complete("ROLLBACK"),
      ready("I"),
      failure(),
      ready("I"),
    ];
    const tap = new WireTap();
    for (const [type, body] of stream) tap.message(type, body);
    expect(tap.tally).toEqual({ explicitCommits: 1, autocommits: 3, writeCommits: 3, rollbacks: 2 });
  });
});
