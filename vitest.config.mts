import path from "node:path";

import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname, ".") } },
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/integration/**/*.test.ts"],
    // `*.pg.test.ts` run on real Postgres only (roles, a second server, volume): without
    // DATABASE_URL they have no suite to run, which Vitest counts as a failure.
    exclude: process.env.DATABASE_URL ? [] : ["tests/integration/**/*.pg.test.ts"],
    environment: "node",
    pool: "forks",
    // One JSON line per command would bury the test report; LOG_LEVEL=debug shows them again.
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // "server-only" throws outside React Server Components; tests import server modules directly.
    alias: { "server-only": path.resolve(import.meta.dirname, "tests/support/empty-module.ts") },
  },
});
