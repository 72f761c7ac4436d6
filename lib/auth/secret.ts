import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { env } from "../env";

/**
 * Auth.js signs session cookies with AUTH_SECRET. In production the server refuses to start without
 * it (lib/env.ts; `npm start` passes a generated one for the embedded demo). In development and tests
 * we make one: kept beside the embedded data so sessions survive a restart, or for this process only.
 */
export function ensureAuthSecret(log: (message: string) => void): void {
  if (process.env.AUTH_SECRET) return;
  const config = env();
  if (config.NODE_ENV === "production") throw new Error("AUTH_SECRET is not set (required in production).");
  if (config.DATABASE_URL || config.PGLITE_DATA_DIR === "memory") {
    process.env.AUTH_SECRET = randomBytes(32).toString("base64url");
    log("AUTH_SECRET is not set: using a temporary one for this process (sessions end at restart)");
    return;
  }
  const file = path.join(path.dirname(path.resolve(config.PGLITE_DATA_DIR)), "auth-secret");
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
    log(`AUTH_SECRET is not set: generated one for the embedded demo in ${path.relative(process.cwd(), file)}`);
  }
  process.env.AUTH_SECRET = readFileSync(file, "utf8").trim();
}
