import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

import pLimit, { type LimitFunction } from "p-limit";

import { env } from "../env";

// scrypt (memory-hard, in node:crypto, so no native dependency) at OWASP's recommended cost:
// N=2^17, r=8, p=1, i.e. 128 MiB and roughly a quarter second per hash on our machines.
const N = 2 ** 17;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAX_MEMORY = 256 * 1024 * 1024;

/**
 * Thrown when this instance is already running and queueing as many hashes as it allows: the caller
 * answers "busy, try again shortly" (503 with Retry-After in the API). Recognised by `code`, not
 * instanceof (Next may load this module in more than one bundle).
 */
export class PasswordHashingBusyError extends Error {
  readonly code = "PASSWORD_HASHING_BUSY";
  readonly retryAfterSeconds = 2;
  constructor() {
    super("Too many sign-ins and sign-ups are being checked right now. Try again in a few seconds.");
  }
}

export const isHashingBusy = (error: unknown): error is PasswordHashingBusyError =>
  (error as { code?: unknown } | null)?.code === "PASSWORD_HASHING_BUSY";

type HashGate = { limit?: LimitFunction; key?: string };
// One gate per process (globalThis, Symbol.for): each hash takes 128 MiB and a libuv thread, and
// anyone can ask for one without an account, so past a bounded queue the answer is "busy".
const gate: HashGate = ((globalThis as Record<symbol, HashGate>)[Symbol.for("ledgerline.password-hash-gate")] ??= {});

function hashGate(): { limit: LimitFunction; maxQueued: number } {
  const { PASSWORD_HASH_CONCURRENCY: concurrency, PASSWORD_HASH_QUEUE: maxQueued } = env();
  const key = `${concurrency}`;
  if (!gate.limit || gate.key !== key) {
    gate.limit = pLimit(concurrency);
    gate.key = key;
  }
  return { limit: gate.limit, maxQueued };
}

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  const { limit, maxQueued } = hashGate();
  // Running plus waiting (p-limit counts a call as pending from the moment it is made).
  if (limit.activeCount + limit.pendingCount >= limit.concurrency + maxQueued) return Promise.reject(new PasswordHashingBusyError());
  return limit(() => deriveNow(password, salt, n, r, p));
}

function deriveNow(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, { N: n, r, p, maxmem: MAX_MEMORY }, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** `scrypt$N$r$p$salt$hash`, base64url; the parameters travel with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return ["scrypt", N, R, P, salt.toString("base64url"), key.toString("base64url")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const actual = await derive(password, Buffer.from(salt, "base64url"), Number(n), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A real hash of nothing, so an unknown email costs as much time as a wrong password. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString("hex")).catch((error: unknown) => {
    decoy = undefined;
    throw error;
  });
  return decoy;
}
