// `npm test`: everything, in the order that fails fastest.
//   lint, type-check, unit + integration (PGlite always; real Postgres too when DATABASE_URL is set),
//   production build, Playwright end-to-end on that build.
import { spawnSync } from "node:child_process";

// Next asks to send telemetry; our machines reach no such host.
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

const steps = [
  ["lint", ["npx", "eslint", ".", "--max-warnings=0"]],
  ["typecheck", ["npm", "run", "--silent", "typecheck"]],
  ["unit and integration tests", ["npx", "vitest", "run"]],
  ["production build", ["npx", "next", "build"]],
  ["end-to-end tests", ["npx", "playwright", "test"]],
];

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
    process.exit(result.status ?? 1);
  }
  console.log(`[test] ${name} passed in ${seconds} s`);
}
