import { z } from "zod";

import { parseTrustedProxies } from "./trusted-proxies";

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * Every setting Ledgerline reads, validated once. Unset means the embedded default: PGlite on disk
 * under `.data/`, port 3000.
 */
const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z
      .string()
      .trim()
      .optional()
      .transform((value) => (value ? value : undefined))
      .refine((value) => value === undefined || /^postgres(ql)?:\/\//.test(value), {
        message: "DATABASE_URL must be a postgres:// or postgresql:// URL",
      }),
    /**
     * The owner role's URL (direct, not pooled): migrations and the app role's grants run on it, and
     * DATABASE_URL's user becomes the restricted app role (decision 0023). Unset: one role does both.
     */
    DATABASE_OWNER_URL: z
      .string()
      .trim()
      .optional()
      .transform((value) => (value ? value : undefined))
      .refine((value) => value === undefined || /^postgres(ql)?:\/\//.test(value), {
        message: "DATABASE_OWNER_URL must be a postgres:// or postgresql:// URL",
      }),
    /** Where the embedded PGlite keeps its files; "memory" keeps nothing. */
    PGLITE_DATA_DIR: z.string().default(".data/pglite"),
    /** postgres.js pool size per app instance. */
    DATABASE_POOL_MAX: positiveInt(10),
    /** Set to "false" behind a transaction pooler (PgBouncer, Neon, Supabase) that cannot keep prepared statements. */
    DATABASE_PREPARE: z.enum(["true", "false"]).optional(),
    /** A snapshot is written each time a stream crosses a multiple of this many events. */
    // Measured: every 100 left loads replaying up to 99 events (Node and Postgres CPU both grew with
    // the tail); every 20 costs a small snapshot write per 20 commands and keeps tails short.
    SNAPSHOT_EVERY: positiveInt(20),
    /** Largest amount one deposit, withdrawal or transfer may carry, in minor units (default 1,000,000.00). */
    MAX_COMMAND_AMOUNT: z.coerce.bigint().positive().default(100_000_000n),
    /** Largest single transfer, in minor units. */
    MAX_TRANSFER_AMOUNT: z.coerce.bigint().positive().default(100_000_000n),
    /** Held transfers above this many minor units need a second admin's approval to release (four eyes). */
    APPROVAL_THRESHOLD_MINOR: z.coerce.bigint().min(0n, "APPROVAL_THRESHOLD_MINOR must be 0 or more minor units").default(100_000n),
    /** Shared secret of the transfers cron route (`Authorization: Bearer …`); unset disables the route. */
    CRON_SECRET: z.string().min(16, "CRON_SECRET must be at least 16 characters").optional(),
    /** How often a long-running server resumes unfinished transfers; 0 turns the loop off (use the cron route). */
    TRANSFER_RUNNER_INTERVAL_MS: z.coerce.number().int().min(0).default(2000),
    PORT: positiveInt(3000),
    /**
     * Signs and encrypts session cookies (Auth.js reads it from the environment itself). Required by
     * the server in production (see `serverConfigProblems`); dev and test make a temporary one.
     */
    AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters (`openssl rand -base64 32` makes one)").optional(),
    /** The public origin, when Auth.js cannot infer it from the request (Auth.js reads it itself); links in mails point to it too. */
    AUTH_URL: z.url({ message: "AUTH_URL must be an absolute URL such as https://bank.example.com" }).optional(),
    /**
     * The origin browsers use for passkeys (https://bank.example.com). Unset: AUTH_URL's origin, else
     * the request's own (right for development; set it in production). See lib/auth/passkeys.ts.
     */
    WEBAUTHN_ORIGIN: z
      .url({ message: "WEBAUTHN_ORIGIN must be an origin such as https://bank.example.com" })
      .max(200)
      .refine(
        (value) => new URL(value).origin === value.replace(/\/$/, ""),
        "WEBAUTHN_ORIGIN must be an origin only (scheme, host and port, no path)",
      )
      .optional(),
    /** The passkeys' relying-party id: the origin's host or a registrable suffix of it. Unset: the origin's host. */
    WEBAUTHN_RP_ID: z
      .string()
      .max(253)
      .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/, "WEBAUTHN_RP_ID must be a host name such as bank.example.com")
      // Browsers refuse an IP address as a relying party's id.
      .refine((value) => !/^[\d.]+$/.test(value), "WEBAUTHN_RP_ID must be a host name, not an IP address")
      .optional(),
    /** A portal session that has not been used for this many minutes is ended (the next request signs in again). */
    SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(1440).default(30),
    /** Minimum level of the JSON logs on stdout. */
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** Bearer token of `/api/metrics`; unset hides the endpoint (404). */
    METRICS_TOKEN: z.string().min(16, "METRICS_TOKEN must be at least 16 characters").optional(),
    /**
     * Which hops of X-Forwarded-For to believe: unset or "none" (the socket's address is the client's),
     * a count of proxies in front of the server, or a comma-separated list of CIDRs (and proxy-addr's
     * names loopback, linklocal, uniquelocal). See lib/client-address.ts.
     */
    TRUSTED_PROXIES: z
      .string()
      .optional()
      .transform((value, context) => {
        try {
          return parseTrustedProxies(value);
        } catch (error) {
          context.addIssue({
            code: "custom",
            message: `TRUSTED_PROXIES must be "none", a hop count or a list of CIDRs (${(error as Error).message})`,
          });
          return z.NEVER;
        }
      }),
    /**
     * The embedded database's demo users (published passwords): seeded by default in development;
     * with NODE_ENV=production only when this is "true". "false" never seeds.
     */
    DEMO_SEED: z.enum(["true", "false"]).optional(),
    /** The development mailbox (/dev/mailbox, mails kept without SMTP_URL): on the embedded database only; on in development, in production only with "true". */
    DEV_MAILBOX: z.enum(["true", "false"]).optional(),
    /** Multiplies every rate limit of lib/auth/rate-limits.ts (a test suite signing in from one address raises it). */
    RATE_LIMIT_FACTOR: positiveInt(1),
    /** Password hashes (scrypt, 128 MiB each) one instance runs at once; more wait in a queue. */
    PASSWORD_HASH_CONCURRENCY: positiveInt(2),
    /** Hashes that may wait for a slot; past this, sign-in and sign-up answer "busy" (503 with Retry-After). */
    PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).default(16),
    /** `/api/ready` counts unfinished transfers that have not moved for longer than this. */
    READY_STUCK_TRANSFER_SECONDS: positiveInt(300),
    /** How long `/api/ready` waits for the database before answering not-ready. */
    READY_TIMEOUT_MS: positiveInt(2000),
    /**
     * Whether customers may deposit and withdraw by themselves (the demo: yes). With "false" the forms
     * and the API operations are off, and money arrives only from the payment scheme.
     */
    SELF_SERVICE_DEPOSITS: z
      .enum(["true", "false"], { error: "SELF_SERVICE_DEPOSITS must be true or false" })
      .default("true")
      .transform((value) => value === "true"),
    /** Most live-update streams (Server-Sent Events) one user may have open at once, over all instances. */
    LIVE_STREAMS_PER_USER: positiveInt(5),
    /** A live stream ends after this long and the browser reconnects (re-checking the session); keep it under a serverless function's time limit. */
    LIVE_STREAM_SECONDS: positiveInt(300),
    /** How often a long-running server runs the event subscriptions (webhook outbox, broker relay) and sends due webhooks; 0 turns the loop off (use the cron route). */
    EVENTS_OUT_INTERVAL_MS: z.coerce.number().int().min(0).default(1000),
    /** Lets webhooks go to loopback, private, link-local and metadata addresses, and over plain http: for local tests only. */
    WEBHOOKS_ALLOW_PRIVATE: z
      .enum(["true", "false"])
      .default("false")
      .transform((value) => value === "true"),
    /** How long one webhook delivery may take (connect, send, response) before it counts as failed. */
    WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
    /** At most this many bytes of a receiver's response are read (the rest is dropped). */
    WEBHOOK_MAX_RESPONSE_BYTES: positiveInt(65_536),
    /** NATS server(s) of the broker relay (nats://host:4222, comma-separated); unset: no relay. */
    NATS_URL: z
      .string()
      .max(1000)
      .regex(/^(nats|tls):\/\/\S+$/, "NATS_URL must be like nats://127.0.0.1:4222")
      .optional(),
    /** Mail server of the outbox (smtp://user:pass@host:587 or smtps://…:465); unset: mails are kept for the development mailbox. */
    SMTP_URL: z
      .string()
      .max(1000)
      .regex(/^smtps?:\/\/\S+$/, "SMTP_URL must be like smtp://user:password@mail.example.com:587")
      .optional(),
    /** The From of every mail. */
    MAIL_FROM: z
      .string()
      .max(300)
      .regex(/^[^\r\n]*@[^\r\n]*$/, "MAIL_FROM must be an address, like Ledgerline <no-reply@bank.example.com>")
      .default("Ledgerline <no-reply@ledgerline.dev>"),
    /** The relay's subjects start with this; its JetStream stream is named after it (ledgerline.events: LEDGERLINE_EVENTS). */
    NATS_SUBJECT_PREFIX: z
      .string()
      .max(100)
      .regex(
        /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/,
        "NATS_SUBJECT_PREFIX must be dot-separated tokens of letters, digits, _ and -, like ledgerline.events",
      )
      .default("ledgerline.events"),
  })
  .refine((value) => value.DATABASE_OWNER_URL === undefined || value.DATABASE_URL !== undefined, {
    path: ["DATABASE_OWNER_URL"],
    message: "DATABASE_OWNER_URL needs DATABASE_URL (the app role's URL) beside it",
  });

export type Env = z.infer<typeof envSchema>;

/** One line per bad variable, naming it: what the operator has to fix. */
function describe(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${issue.path.join(".") || "environment"}: ${issue.message}`);
}

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success)
    throw new Error(
      `Invalid configuration:\n${describe(parsed.error.issues)
        .map((line) => `  ${line}`)
        .join("\n")}`,
    );
  cached = parsed.data;
  return cached;
}

/**
 * What stops a server from starting: every bad value, plus the settings only a server needs. CLI
 * scripts (migrate, seed, projections) call `env()` and do not need AUTH_SECRET.
 */
export function serverConfigProblems(source: NodeJS.ProcessEnv = process.env): string[] {
  const parsed = envSchema.safeParse(source);
  const problems = parsed.success ? [] : describe(parsed.error.issues);
  if (parsed.success && parsed.data.WEBAUTHN_RP_ID && parsed.data.WEBAUTHN_ORIGIN) {
    const host = new URL(parsed.data.WEBAUTHN_ORIGIN).hostname;
    const id = parsed.data.WEBAUTHN_RP_ID;
    if (host !== id && !host.endsWith(`.${id}`)) problems.push(`WEBAUTHN_RP_ID: must be ${host} or a suffix of it (the host of WEBAUTHN_ORIGIN)`);
  }
  if ((source.NODE_ENV ?? "development") === "production" && !source.AUTH_SECRET) {
    problems.push("AUTH_SECRET: required in production; set it to a long random value (`openssl rand -base64 32`)");
  }
  return problems;
}
