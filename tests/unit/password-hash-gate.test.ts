import { describe, expect, it } from "vitest";

process.env.PASSWORD_HASH_CONCURRENCY = "1";
process.env.PASSWORD_HASH_QUEUE = "1";

const { hashPassword, isHashingBusy, verifyPassword } = await import("@/lib/auth/password");

describe("password hashing is bounded per instance", () => {
  it("a burst of hashes beyond the running and queued slots is refused at once as busy, and the rest still work", async () => {
    const burst = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => hashPassword(`burst password ${i}`)));
    const done = burst.filter((r) => r.status === "fulfilled");
    const busy = burst.filter((r) => r.status === "rejected" && isHashingBusy(r.reason));
    expect(done).toHaveLength(2);
    expect(busy).toHaveLength(4);
    const stored = (done[0] as PromiseFulfilledResult<string>).value;
    // Once the burst is over, a hash gets a slot again.
    expect(await verifyPassword("burst password 0", stored)).toBe(true);
  }, 30_000);
});
