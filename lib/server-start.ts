import { serverConfigProblems } from "./env";

/**
 * What a server does before it serves: check the whole configuration first (every bad variable named
 * at once), then open the database and apply migrations, start the transfer loop, and in embedded
 * demo mode seed the demo users. Any failure ends the process with a non-zero code: a server that
 * cannot work must not look alive to a health check.
 */
export async function startServer(): Promise<void> {
  const problems = serverConfigProblems();
  if (problems.length > 0) {
    // Plain text on stderr, not JSON: LOG_LEVEL itself may be the bad value, and a person reads this.
    process.stderr.write(`[ledgerline] invalid configuration, not starting:\n${problems.map((line) => `  ${line}\n`).join("")}`);
    process.exit(1);
  }
  const { log } = await import("./log");
  const logger = log();
  try {
    await start(logger);
  } catch (error) {
    logger.fatal({ err: error }, "start failed; exiting");
    process.exit(1);
  }
}

async function start(logger: import("./log").Logger): Promise<void> {
  const { ensureAuthSecret } = await import("./auth/secret");
  ensureAuthSecret((message) => logger.warn({ event: "start" }, message));
  const { processDatabase } = await import("./db/process-database");
  const handle = await processDatabase();
  logger.info({ event: "start", database: handle.target }, "database ready");
  if (handle.kind === "postgres") {
    // Decision 0023: a role that owns the store could disable its append-only trigger.
    const { storeProtection } = await import("./db/roles");
    const protection = await storeProtection(handle.db);
    if (!protection.protected) {
      logger.warn(
        { event: "start", databaseRole: protection.role, storeProtected: false, reason: protection.reason },
        `the event store is not protected from the app's own database role: ${protection.role} is ${protection.reason === "superuser" ? "a superuser" : "the owner of the events table"}, ` +
          "so it could disable the append-only trigger or rewrite snapshots. Give the app a restricted role: DATABASE_URL for it, DATABASE_OWNER_URL for migrations (docs/deploy.md)",
      );
    } else {
      logger.info({ event: "start", databaseRole: protection.role, storeProtected: true }, "the app's database role can only read and append events");
    }
  }
  const { env } = await import("./env");
  const { startEventsOutLoop, startTransferLoop } = await import("./process-managers/background");
  const settings = env();
  startTransferLoop(
    async () => ({
      db: handle.db,
      snapshotEvery: settings.SNAPSHOT_EVERY,
      maxAmount: settings.MAX_COMMAND_AMOUNT,
      maxTransferAmount: settings.MAX_TRANSFER_AMOUNT,
      approvalThreshold: settings.APPROVAL_THRESHOLD_MINOR,
    }),
    settings.TRANSFER_RUNNER_INTERVAL_MS,
  );
  startEventsOutLoop(async () => handle.db, settings.EVENTS_OUT_INTERVAL_MS, settings.NATS_URL, settings.NATS_SUBJECT_PREFIX);
  if (handle.kind === "pglite") {
    // A production server on the embedded database would otherwise be a bank with a published
    // admin password: there the demo users need DEMO_SEED=true (npm start, the demo launcher, sets it).
    if (settings.NODE_ENV === "production" && settings.DEMO_SEED !== "true") {
      logger.warn(
        { event: "start", demo: "not-seeded" },
        "embedded database in production without DEMO_SEED=true: no demo users were created (set DATABASE_URL for a real deployment, or DEMO_SEED=true for the public demo)",
      );
      return;
    }
    if (settings.DEMO_SEED === "false") {
      logger.info({ event: "start", demo: "not-seeded" }, "embedded database: demo seeding turned off (DEMO_SEED=false)");
      return;
    }
    const { seedDemo, DEMO_ADMIN, DEMO_ADMIN_TOTP_SECRET, DEMO_CUSTOMER, DEMO_SECOND_ADMIN, DEMO_SECOND_ADMIN_TOTP_SECRET } =
      await import("./demo/seed");
    const { seeded } = await seedDemo({
      db: handle.db,
      snapshotEvery: settings.SNAPSHOT_EVERY,
      maxAmount: settings.MAX_COMMAND_AMOUNT,
      approvalThreshold: settings.APPROVAL_THRESHOLD_MINOR,
    });
    // The demo's published credentials (README), not secrets: spelled out so a first run can sign in.
    logger.info(
      { event: "start", demo: seeded ? "seeded" : "ready" },
      `embedded demo ${seeded ? "seeded" : "ready"}. Sign in as customer ${DEMO_CUSTOMER.email} / ${DEMO_CUSTOMER.password}` +
        ` or admin ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password} (authenticator secret ${DEMO_ADMIN_TOTP_SECRET})` +
        ` or second admin ${DEMO_SECOND_ADMIN.email} / ${DEMO_SECOND_ADMIN.password} (authenticator secret ${DEMO_SECOND_ADMIN_TOTP_SECRET})`,
    );
  } else {
    logger.info({ event: "start", demo: "not-seeded" }, "real database: no demo users are seeded (npm run db:seed makes them on purpose)");
  }
}
