import os from "node:os";
import path from "node:path";

import { defineConfig, devices } from "@playwright/test";

// End-to-end tests run against a production build (`next build` first; scripts/test.mjs does it)
// served by `next start` on a spare port, on a fresh embedded database, in Debian's Chromium:
// `npx playwright install` cannot download browsers on our machines.
const port = Number(process.env.E2E_PORT ?? 3123);
const baseURL = `http://127.0.0.1:${port}`;
// Set once in the runner's environment, so workers and the teardown agree on it.
process.env.E2E_DATA_DIR ??= path.join(os.tmpdir(), `ledgerline-e2e-${process.pid}-${Date.now()}`, "pglite");
const dataDir = process.env.E2E_DATA_DIR;
/** The test server's cron secret; tests call the cron route with it. */
export const E2E_CRON_SECRET = "e2e-cron-secret-0123456789";
/** A production server refuses to start without AUTH_SECRET; the suite brings its own. */
const E2E_AUTH_SECRET = "e2e-auth-secret-0123456789abcdefghijklmnop";

export default defineConfig({
  testDir: "tests/e2e",
  fullyParallel: true,
  workers: process.env.CI ? 2 : undefined,
  retries: 0,
  forbidOnly: true,
  globalTeardown: "./tests/e2e/support/teardown.ts",
  reporter: [["list"]],
  // Journeys sign up (scrypt) and walk several pages; on a loaded CI machine 30 s was too tight.
  timeout: 60_000,
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: {
    command: `node node_modules/next/dist/bin/next start --port ${port} --hostname 127.0.0.1`,
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    env: {
      // The suite owns its database: a fresh PGlite directory, never the developer's DATABASE_URL.
      DATABASE_URL: "",
      PGLITE_DATA_DIR: dataDir,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      CRON_SECRET: E2E_CRON_SECRET,
      // The suite signs in as the demo users; a production server seeds them only when asked.
      DEMO_SEED: "true",
      // The password-reset journey reads its link from the development mailbox (mails are kept: no SMTP_URL).
      DEV_MAILBOX: "true",
      // Hundreds of sign-ups and sign-ins from 127.0.0.1, many as the demo users: the per-address and
      // per-account rate limits would stop the suite (their attacks are tested in integration and
      // server tests, on servers of their own).
      RATE_LIMIT_FACTOR: "1000",
      // tests/e2e/webhooks.spec.ts delivers to a receiver on 127.0.0.1 over http.
      WEBHOOKS_ALLOW_PRIVATE: "true",
      AUTH_SECRET: E2E_AUTH_SECRET,
      // A JSON line per command and API call would bury the report; warnings and errors still show.
      LOG_LEVEL: "warn",
    },
  },
});
