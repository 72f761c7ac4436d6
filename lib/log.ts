import pino, { type DestinationStream, type Logger } from "pino";

export type { Logger } from "pino";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Keys whose values never reach a log line, at the top level or one object down. */
const SECRET_KEYS = [
  "password",
  "newPassword",
  "token",
  "secret",
  "authorization",
  "cookie",
  "set-cookie",
  "AUTH_SECRET",
  "METRICS_TOKEN",
  "CRON_SECRET",
];
/** Account numbers identify a customer's account: logs keep the last four digits only. */
const ACCOUNT_NUMBER_KEYS = ["accountNumber", "toAccountNumber", "fromAccountNumber", "fromNumber", "toNumber"];

const segment = (key: string) => (/^\w+$/.test(key) ? `.${key}` : `["${key}"]`);
/**
 * Where such keys can turn up in what this code logs: at the top, and in the objects it passes
 * along (a request's body, headers, query; an error and its cause). Named paths, not wildcards: a
 * wildcard makes the redactor walk every object of every line (about 100 µs a line, measured,
 * against 5 µs), and logging is on the path of every request.
 */
const CONTAINERS = ["", "body", "headers", "query", "params", "input", "request.headers", "request.body", "response.headers", "err", "err.cause"];
const everywhere = (keys: readonly string[]) =>
  keys.flatMap((key) => CONTAINERS.map((container) => (container ? `${container}${segment(key)}` : segment(key).replace(/^\./, ""))));
const NUMBER_KEYS = new Set(ACCOUNT_NUMBER_KEYS);

/** "DE12 3456 7890" → "…7890": enough to tell accounts apart when helping a customer, not enough to use one. */
export function maskAccountNumber(value: unknown): string {
  const digits = String(value ?? "").replace(/\s+/g, "");
  return digits.length <= 4 ? "…" : `…${digits.slice(-4)}`;
}

function censor(value: unknown, path: string[]): unknown {
  const key = path[path.length - 1] ?? "";
  return NUMBER_KEYS.has(key) ? maskAccountNumber(value) : "[redacted]";
}

/** A JSON logger: one object per line with level as a word, ISO time, and secrets redacted. */
export function createLogger(options: { level?: LogLevel; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...everywhere(SECRET_KEYS), ...everywhere(ACCOUNT_NUMBER_KEYS)], censor },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

function levelFromEnv(): LogLevel {
  const level = process.env.LOG_LEVEL;
  return (LOG_LEVELS as readonly string[]).includes(level ?? "") ? (level as LogLevel) : "info";
}

type Holder = { logger?: Logger };
// On globalThis: Next bundles instrumentation, route handlers and server actions separately, and
// they should share one logger (one level, one stdout writer).
const holder = ((globalThis as { __ledgerlineLog?: Holder }).__ledgerlineLog ??= {});

/** The process's logger; LOG_LEVEL (checked at start by lib/env.ts) sets its level. */
export function log(): Logger {
  holder.logger ??= createLogger({ level: levelFromEnv() });
  return holder.logger;
}
