import { describe, expect, it } from "vitest";

import { spawnServer, tempDataDir } from "./support/server";

// A bad or missing setting must stop `next start` at once with a message naming it, not leave a
// server up that fails on its first request.
async function exitOf(env: Record<string, string | undefined>) {
  const data = tempDataDir();
  const server = await spawnServer({ env: { PGLITE_DATA_DIR: data.dir, ...env } });
  const started = Date.now();
  const timeout = new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 30_000));
  try {
    const code = await Promise.race([server.exited, timeout]);
    return { code, seconds: (Date.now() - started) / 1000, output: server.output() };
  } finally {
    await server.stop();
    data.remove();
  }
}

describe("configuration is checked when the server starts", () => {
  it("refuses to start in production without AUTH_SECRET, naming it", async () => {
    const result = await exitOf({ AUTH_SECRET: undefined });
    expect(result.code).not.toBe("still running");
    expect(result.code).not.toBe(0);
    expect(result.seconds).toBeLessThan(20);
    expect(result.output).toContain("AUTH_SECRET");
    expect(result.output).toMatch(/invalid configuration/i);
  });

  it("refuses a bad value, naming each bad variable", async () => {
    const result = await exitOf({ AUTH_SECRET: "server-test-secret-0123456789abcdef", DATABASE_POOL_MAX: "abc", READY_TIMEOUT_MS: "-5" });
    expect(result.code).not.toBe("still running");
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("DATABASE_POOL_MAX");
    expect(result.output).toContain("READY_TIMEOUT_MS");
    // The secret that was fine is never echoed back.
    expect(result.output).not.toContain("server-test-secret-0123456789abcdef");
  });
});
