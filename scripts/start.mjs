// `npm start`: build if there is no production build yet or the sources are newer than it, then
// serve it on PORT (default 3000).
// Migrations run at server start (instrumentation.ts); with no DATABASE_URL the data lives in .data/.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

import { buildFreshness } from "./build-freshness.mjs";

// Next asks to send telemetry; our machines reach no such host.
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

const require = createRequire(import.meta.url);
const nextBin = require.resolve("next/dist/bin/next");
const port = process.env.PORT ?? "3000";

const { builtAt, stale } = buildFreshness(process.cwd());
if (stale) {
  console.log(
    builtAt === 0
      ? "[ledgerline] no production build found: running `next build` first"
      : "[ledgerline] the sources changed since the last build: running `next build` again",
  );
  const build = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// A production server refuses to start without AUTH_SECRET. The embedded demo must still run on a fresh
// clone with no configuration, so it gets a secret made once and kept beside its data (sessions then
// survive a restart). A real database means a real deployment: that one has to be configured.
if (!process.env.DATABASE_URL?.trim() && !process.env.AUTH_SECRET) {
  const dataDir = process.env.PGLITE_DATA_DIR || ".data/pglite";
  if (dataDir === "memory") {
    process.env.AUTH_SECRET = randomBytes(32).toString("base64url");
  } else {
    const file = path.join(path.dirname(path.resolve(dataDir)), "auth-secret");
    if (!existsSync(file)) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
      console.log(`[ledgerline] AUTH_SECRET is not set: generated one for the embedded demo in ${path.relative(process.cwd(), file)}`);
    }
    process.env.AUTH_SECRET = readFileSync(file, "utf8").trim();
  }
}

// `npm start` without a DATABASE_URL is the demo (README): it opts in to the demo users, which a
// production server on the embedded database otherwise refuses to create (lib/server-start.ts).
if (!process.env.DATABASE_URL?.trim()) process.env.DEMO_SEED ??= "true";

const server = spawn(process.execPath, [nextBin, "start", "--port", port], { stdio: "inherit", env: process.env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
