import { z } from "zod";

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * Every setting Ledgerline reads, validated once. Unset means the embedded default: PGlite on disk
 * under `.data/`, port 3000.
 */
const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : undefined))
    .refine((value) => value === undefined || /^postgres(ql)?:\/\//.test(value), {
      message: "DATABASE_URL must be a postgres:// or postgresql:// URL",
    }),
  /** Where the embedded PGlite keeps its files; "memory" keeps nothing. */
  PGLITE_DATA_DIR: z.string().default(".data/pglite"),
  /** postgres.js pool size per app instance. */
  DATABASE_POOL_MAX: positiveInt(10),
  /** Set to "false" behind a transaction pooler (PgBouncer, Neon, Supabase) that cannot keep prepared statements. */
  DATABASE_PREPARE: z.enum(["true", "false"]).optional(),
  /** A snapshot is written each time a stream crosses a multiple of this many events. */
  SNAPSHOT_EVERY: positiveInt(100),
  /** Largest amount one deposit, withdrawal or transfer may carry, in minor units (default 1,000,000.00). */
  MAX_COMMAND_AMOUNT: z.coerce.bigint().positive().default(100_000_000n),
  /** Largest single transfer, in minor units. */
  MAX_TRANSFER_AMOUNT: z.coerce.bigint().positive().default(100_000_000n),
  /** Shared secret of the transfers cron route (`Authorization: Bearer …`); unset disables the route. */
  CRON_SECRET: z.string().min(16, "CRON_SECRET must be at least 16 characters").optional(),
  /** How often a long-running server resumes unfinished transfers; 0 turns the loop off (use the cron route). */
  TRANSFER_RUNNER_INTERVAL_MS: z.coerce.number().int().min(0).default(2000),
  PORT: positiveInt(3000),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`).join("\n");
    throw new Error(`Invalid configuration:\n${problems}`);
  }
  cached = parsed.data;
  return cached;
}
