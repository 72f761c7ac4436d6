import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { env } from "../env";

/**
 * Auth.js signs session cookies with AUTH_SECRET. A real deployment must set it. In embedded demo
 * mode we make one and keep it beside the data, so sessions survive a restart.
 */
export function ensureAuthSecret(log: (message: string) => void = console.log): void {
  if (process.env.AUTH_SECRET) return;
  const config = env();
  if (config.DATABASE_URL) {
    if (config.NODE_ENV === "production") {
      throw new Error("AUTH_SECRET is not set. Set it to a long random value (e.g. `openssl rand -base64 32`) when using DATABASE_URL.");
    }
    process.env.AUTH_SECRET = randomBytes(32).toString("base64url");
    log("[ledgerline] AUTH_SECRET is not set: using a temporary one for this process (sessions end at restart)");
    return;
  }
  if (config.PGLITE_DATA_DIR === "memory") {
    process.env.AUTH_SECRET = randomBytes(32).toString("base64url");
    log("[ledgerline] AUTH_SECRET is not set: generated one for this in-memory demo");
    return;
  }
  const file = path.join(path.dirname(path.resolve(config.PGLITE_DATA_DIR)), "auth-secret");
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
    log(`[ledgerline] AUTH_SECRET is not set: generated one for the embedded demo in ${path.relative(process.cwd(), file)}`);
  }
  process.env.AUTH_SECRET = readFileSync(file, "utf8").trim();
}
