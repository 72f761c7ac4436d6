// `npm start`: build once if there is no production build yet, then serve it on PORT (default 3000).
// Migrations run at server start (instrumentation.ts); with no DATABASE_URL the data lives in .data/.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

// Next asks to send telemetry; our machines reach no such host.
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

const require = createRequire(import.meta.url);
const nextBin = require.resolve("next/dist/bin/next");
const port = process.env.PORT ?? "3000";

if (!existsSync(".next/BUILD_ID")) {
  console.log("[ledgerline] no production build found: running `next build` first");
  const build = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const server = spawn(process.execPath, [nextBin, "start", "--port", port], { stdio: "inherit", env: process.env });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
