import { createHash } from "node:crypto";

import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";

import { addressKey } from "../client-address";
import type { Database } from "../db/client";
import { runStatement, statement } from "../db/statement";
import { env } from "../env";
import { log } from "../log";

/**
 * Rate limits of the endpoints anyone can reach, per address and per account, counted in Postgres
 * (`rate_limits`) by rate-limiter-flexible (well kept, atomic: one upsert per count) so every
 * instance shares them. Each action counts every attempt, good or bad, before any other work.
 */
export const RATE_LIMITS = {
  signUp: { address: { points: 10, seconds: 60 * 60 }, account: { points: 3, seconds: 60 * 60 } },
  signIn: { address: { points: 100, seconds: 15 * 60 }, account: { points: 20, seconds: 15 * 60 } },
  tokenIssue: { address: { points: 30, seconds: 60 * 60 }, account: { points: 20, seconds: 60 * 60 } },
  passwordChange: { address: { points: 20, seconds: 15 * 60 }, account: { points: 5, seconds: 15 * 60 } },
  // Reset links and verification mails go to someone's inbox: few per address an hour.
  passwordReset: { address: { points: 10, seconds: 60 * 60 }, account: { points: 3, seconds: 60 * 60 } },
  emailLink: { address: { points: 20, seconds: 60 * 60 }, account: { points: 5, seconds: 60 * 60 } },
} as const;

export type RateLimitedAction = keyof typeof RATE_LIMITS;

/** Too many attempts; recognised by `code` (not instanceof: Next may bundle this module twice). */
export class RateLimitedError extends Error {
  readonly code = "RATE_LIMITED";
  /** Which limit refused: the address's (then many accounts are being tried from it) or the account's. */
  constructor(
    readonly retryAfterSeconds: number,
    readonly scope: "address" | "account" = "account",
  ) {
    super(`Too many attempts. Try again in ${Math.max(1, Math.ceil(retryAfterSeconds / 60))} minutes.`);
  }
}

export const isRateLimited = (error: unknown): error is RateLimitedError => (error as { code?: unknown } | null)?.code === "RATE_LIMITED";

type Limiters = WeakMap<Database, Map<string, RateLimiterPostgres>>;
// Per database handle (tests open many), on globalThis: one set of limiters per process.
const registry: Limiters = ((globalThis as Record<symbol, Limiters>)[Symbol.for("ledgerline.rate-limiters")] ??= new WeakMap());

/** rate-limiter-flexible's pg "pool" interface, over our driver (postgres.js or PGlite). */
const storeClient = (db: Database) => ({
  async query({ text, values }: { text: string; values: (string | number | null)[] }) {
    const rows = await runStatement(db, statement(text, ...values));
    return { rows, rowCount: rows.length };
  },
});

function limiter(db: Database, action: RateLimitedAction, scope: "address" | "account"): RateLimiterPostgres {
  let byName = registry.get(db);
  if (!byName) {
    byName = new Map();
    registry.set(db, byName);
  }
  const name = `${action}:${scope}`;
  let found = byName.get(name);
  if (!found) {
    const { points, seconds } = RATE_LIMITS[action][scope];
    found = new RateLimiterPostgres({
      storeClient: storeClient(db),
      storeType: "pool",
      tableName: "rate_limits",
      tableCreated: true, // a migration makes it
      keyPrefix: name,
      // RATE_LIMIT_FACTOR: test suites that sign in hundreds of times from one address raise it.
      points: points * env().RATE_LIMIT_FACTOR,
      duration: seconds,
    });
    byName.set(name, found);
  }
  return found;
}

/** Bounded keys: an address as counted (IPv6 by /64), an account (email or id) as a hash. */
const accountKey = (account: string) => createHash("sha256").update(account).digest("base64url");

/**
 * Counts one attempt at `action` for the address and the account; throws RateLimitedError when
 * either is over its limit (then nothing else should happen). A null address or account is not counted.
 */
export async function consumeRateLimit(
  db: Database,
  action: RateLimitedAction,
  keys: { address?: string | null; account?: string | null },
): Promise<void> {
  const counts: { scope: "address" | "account"; count: Promise<unknown> }[] = [];
  if (keys.address) counts.push({ scope: "address", count: limiter(db, action, "address").consume(addressKey(keys.address)) });
  if (keys.account) counts.push({ scope: "account", count: limiter(db, action, "account").consume(accountKey(keys.account)) });
  const results = await Promise.allSettled(counts.map(({ count }) => count));
  let wait = 0;
  let scope: "address" | "account" | undefined;
  results.forEach((result, index) => {
    if (result.status === "fulfilled") return;
    if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
    wait = Math.max(wait, Math.ceil(result.reason.msBeforeNext / 1000));
    // The address's limit is the wider one: when both refuse, the address is the key to summarise by.
    if (scope !== "address") scope = counts[index]?.scope;
  });
  if (wait > 0) {
    log().warn({ event: "rate-limit", action, address: keys.address ?? null }, "rate limit reached");
    throw new RateLimitedError(wait, scope);
  }
}
