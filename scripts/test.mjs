// `npm test`: everything, in the order that fails fastest.
//   lint (code, its formatting, then the Dockerfile and compose file), type-check, unit + integration (PGlite always;
//   real Postgres too when DATABASE_URL is set), production build, server tests on that build
//   (next start and the standalone server), Playwright end-to-end on that build.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";

// Next asks to send telemetry; our machines reach no such host.
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

// Both runners also write JSON reports, so the run ends with one plain "N passed, N failed" line.
// Not test-results/: Playwright empties that folder when it starts.
mkdirSync(".reports", { recursive: true });
const VITEST_REPORT = ".reports/vitest.json";
const SERVER_REPORT = ".reports/vitest-server.json";
const PLAYWRIGHT_REPORT = ".reports/playwright.json";
for (const stale of [VITEST_REPORT, SERVER_REPORT, PLAYWRIGHT_REPORT]) rmSync(stale, { force: true });
process.env.PLAYWRIGHT_JSON_OUTPUT_NAME = PLAYWRIGHT_REPORT;

const steps = [
  ["lint", ["npx", "eslint", ".", "--max-warnings=0"]],
  ["format (Prettier, imports sorted)", ["npx", "prettier", "--check", "."]],
  ["lint of the Dockerfile and compose.yaml", ["npm", "run", "--silent", "lint:deploy"]],
  ["typecheck", ["npm", "run", "--silent", "typecheck"]],
  ["unit and integration tests", ["npx", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${VITEST_REPORT}`]],
  ["production build", ["npx", "next", "build"]],
  [
    "server tests",
    ["npx", "vitest", "run", "--config", "vitest.server.config.ts", "--reporter=default", "--reporter=json", `--outputFile.json=${SERVER_REPORT}`],
  ],
  ["end-to-end tests", ["npx", "playwright", "test", "--reporter=list,json"]],
];

function counts() {
  let passed = 0;
  let failed = 0;
  for (const file of [VITEST_REPORT, SERVER_REPORT]) {
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, "utf8"));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
  }
  if (existsSync(PLAYWRIGHT_REPORT)) {
    const stats = JSON.parse(readFileSync(PLAYWRIGHT_REPORT, "utf8")).stats ?? {};
    passed += (stats.expected ?? 0) + (stats.flaky ?? 0);
    failed += stats.unexpected ?? 0;
  }
  return { passed, failed };
}

console.log(
  process.env.DATABASE_URL
    ? "[test] integration tests run on PGlite and on the Postgres at DATABASE_URL"
    : "[test] DATABASE_URL is not set: integration tests run on PGlite only",
);
for (const [name, [command, ...args]] of steps) {
  const started = Date.now();
  console.log(`\n[test] ${name}: ${[command, ...args].join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`[test] ${name} failed after ${seconds} s`);
    const { passed, failed } = counts();
    console.log(`${passed} passed, ${Math.max(failed, 1)} failed`);
    process.exit(result.status ?? 1);
  }
  console.log(`[test] ${name} passed in ${seconds} s`);
}
const { passed, failed } = counts();
console.log(`${passed} passed, ${failed} failed`);
if (passed === 0) process.exit(1);
