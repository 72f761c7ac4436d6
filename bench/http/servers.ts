import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { log, sleep } from "../support";
import { CPU_PROFILES, LOG_LEVEL, POOL_MAX, RESULTS_DIR } from "./settings";

// ---------------------------------------------------------------------------------------------
// Servers

export type Server = { url: URL; process: ChildProcess; logFile: string };

const nextBin = path.join(process.cwd(), "node_modules/next/dist/bin/next");

export function ensureBuild(): void {
  if (existsSync(".next/BUILD_ID")) return;
  log("no production build: running `next build` first");
  const build = spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (build.status !== 0) throw new Error("next build failed");
}

let logDir = ""; // made by main (makeLogDir), removed at the end unless a server failed

export function makeLogDir(): string {
  logDir = mkdtempSync(path.join(os.tmpdir(), "ledgerline-bench-"));
  return logDir;
}

export async function startServer(databaseUrl: string, port: number, extraEnv: Record<string, string> = {}): Promise<Server> {
  const profileDir = path.join(RESULTS_DIR, "profiles");
  if (CPU_PROFILES) mkdirSync(profileDir, { recursive: true });
  const args = [
    ...(CPU_PROFILES ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : []),
    nextBin,
    "start",
    "--port",
    String(port),
    "--hostname",
    "127.0.0.1",
  ];
  // The log goes to a file, as it would to a collector: read through a pipe it would cost the
  // generator's CPU and memory, and the bench would measure itself.
  const logFile = path.join(logDir, `server-${port}.log`);
  const fd = openSync(logFile, "a");
  const child = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_MAX: String(POOL_MAX),
      AUTH_SECRET: "bench-only-secret-0123456789abcdef0123456789",
      ...(LOG_LEVEL ? { LOG_LEVEL } : {}),
      ...extraEnv,
    },
    stdio: ["ignore", fd, fd],
  });
  closeSync(fd);
  const url = new URL(`http://127.0.0.1:${port}`);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server on port ${port} exited:\n${logTail(logFile)}`);
    try {
      const answer = await fetch(new URL("/api/health", url), { signal: AbortSignal.timeout(2_000) });
      if (answer.ok) return { url, process: child, logFile };
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  child.kill("SIGKILL");
  throw new Error(`server on port ${port} did not come up:\n${logTail(logFile)}`);
}

export function logTail(file: string, bytes = 2000): string {
  try {
    const size = statSync(file).size;
    return readRange(file, Math.max(0, size - bytes), size);
  } catch {
    return "(no log)";
  }
}

function readRange(file: string, from: number, to: number): string {
  const buffer = Buffer.alloc(Math.max(0, to - from));
  const fd = openSync(file, "r");
  try {
    readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    closeSync(fd);
  }
  return buffer.toString("utf8");
}

/** Bytes and lines the servers have logged so far, to take the difference over a scenario. */
type LogMark = { file: string; size: number }[];
export const logMark = (servers: Server[]): LogMark => servers.map((s) => ({ file: s.logFile, size: statSync(s.logFile).size }));

export type LogFigures = { bytes: number; lines: number; byLevel: Record<string, number>; firstErrors: string[] };

/** What the servers logged since `from`: volume, lines per level, the first error lines (a 5xx's cause). */
export function logBetween(from: LogMark): LogFigures {
  const figures: LogFigures = { bytes: 0, lines: 0, byLevel: {}, firstErrors: [] };
  for (const mark of from) {
    const size = statSync(mark.file).size;
    figures.bytes += size - mark.size;
    for (const line of readRange(mark.file, mark.size, size).split("\n")) {
      if (!line) continue;
      figures.lines += 1;
      const level = /"level":"(\w+)"/.exec(line)?.[1] ?? "not JSON";
      figures.byLevel[level] = (figures.byLevel[level] ?? 0) + 1;
      if ((level === "error" || level === "fatal" || level === "not JSON") && figures.firstErrors.length < 3)
        figures.firstErrors.push(line.slice(0, 600));
    }
  }
  return figures;
}

export async function stopServer(server: Server): Promise<void> {
  if (server.process.exitCode !== null) return;
  const exited = new Promise((resolve) => server.process.once("exit", resolve));
  server.process.kill("SIGINT"); // a clean exit writes the CPU profile
  await Promise.race([exited, sleep(10_000)]);
  if (server.process.exitCode === null) server.process.kill("SIGKILL");
}
