import path from "node:path";

import { defineConfig } from "vitest/config";

// Server tests start the production build (`next build` first; scripts/test.mjs runs them after it).
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname, ".") } },
  test: {
    include: ["tests/server/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    // Each file starts its own servers; two at a time keeps a 2-core machine responsive.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
