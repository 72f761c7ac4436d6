import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

import { standaloneServerDir } from "../../../scripts/standalone-prepare.mjs";

/**
 * Server tests run the production build as an operator would: `next start`, or the standalone
 * server the Docker image runs. Each server gets a free loopback port and, unless told otherwise,
 * a fresh embedded database in a temp folder.
 */
export type RunningServer = {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Everything the server printed so far (stdout and stderr). */
  output: () => string;
  /** Resolves with the exit code once the process has ended. */
  readonly exited: Promise<number | null>;
  stop: () => Promise<void>;
};

export type ServerMode = "next-start" | "standalone";

/** A free loopback port; SERVER_TEST_PORT pins it (one server at a time) on a machine shared with others. */
export async function freePort(): Promise<number> {
  if (process.env.SERVER_TEST_PORT) return Number(process.env.SERVER_TEST_PORT);
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export function tempDataDir(): { dir: string; remove: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), "ledgerline-server-"));
  return { dir: path.join(root, "pglite"), remove: () => rmSync(root, { recursive: true, force: true }) };
}

const BASE_ENV = {
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
  HOSTNAME: "127.0.0.1",
  TRANSFER_RUNNER_INTERVAL_MS: "0",
} as const;

/**
 * Starts a server without waiting for it; `waitUntilServing` waits. Standalone mode runs
 * `node server.js` in `serverDir` (default: the build's own standalone folder, which
 * scripts/standalone-prepare.mjs must have completed).
 */
export async function spawnServer(
  options: { mode?: ServerMode; env?: Record<string, string | undefined>; cwd?: string; serverDir?: string } = {},
): Promise<RunningServer> {
  const mode = options.mode ?? "next-start";
  const port = await freePort();
  const cwd = options.cwd ?? process.cwd();
  const serverDir = mode === "standalone" ? (options.serverDir ?? standaloneServerDir(cwd)) : cwd;
  const args =
    mode === "standalone"
      ? [path.join(serverDir, "server.js")]
      : [path.join(cwd, "node_modules/next/dist/bin/next"), "start", "--port", String(port), "--hostname", "127.0.0.1"];
  // Only what the test names reaches the server: never the developer's DATABASE_URL by accident.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? os.tmpdir(), ...BASE_ENV, PORT: String(port) };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const child: ChildProcess = spawn(process.execPath, args, { cwd: serverDir, env, stdio: ["ignore", "pipe", "pipe"] });
  let printed = "";
  child.stdout?.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (printed += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code: number | null) => resolve(code)));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    process: child,
    output: () => printed,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `path` until it answers (any status) or the process ends or the time is up. */
export async function waitUntilServing(server: RunningServer, pathname = "/api/health", timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void server.exited.then(() => (ended = true));
  while (Date.now() < deadline) {
    if (ended) throw new Error(`server exited before serving:\n${server.output()}`);
    try {
      await fetch(server.url + pathname, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`server did not answer ${pathname} within ${timeoutMs} ms:\n${server.output()}`);
}

export async function startServer(options: Parameters<typeof spawnServer>[0] = {}): Promise<RunningServer> {
  const server = await spawnServer(options);
  try {
    await waitUntilServing(server);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}
