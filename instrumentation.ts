// Runs once per server process before it serves (never during `next build`): check configuration,
// open the database and apply migrations, and in embedded demo mode seed the demo users.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { ensureAuthSecret } = await import("./lib/auth/secret");
  ensureAuthSecret();
  const { processDatabase } = await import("./lib/db/process-database");
  const handle = await processDatabase();
  console.log(`[ledgerline] database ready: ${handle.target}`);
  const { env } = await import("./lib/env");
  const { startTransferLoop } = await import("./lib/process-managers/background");
  const settings = env();
  startTransferLoop(
    async () => ({
      db: handle.db,
      snapshotEvery: settings.SNAPSHOT_EVERY,
      maxAmount: settings.MAX_COMMAND_AMOUNT,
      maxTransferAmount: settings.MAX_TRANSFER_AMOUNT,
    }),
    settings.TRANSFER_RUNNER_INTERVAL_MS,
  );
  if (handle.kind === "pglite") {
    const { seedDemo, DEMO_ADMIN, DEMO_CUSTOMER } = await import("./lib/demo/seed");
    const { seeded } = await seedDemo({ db: handle.db, snapshotEvery: settings.SNAPSHOT_EVERY, maxAmount: settings.MAX_COMMAND_AMOUNT });
    console.log(
      `[ledgerline] embedded demo ${seeded ? "seeded" : "ready"}. Sign in as customer ${DEMO_CUSTOMER.email} / ${DEMO_CUSTOMER.password}` +
        ` or admin ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password}`,
    );
  }
}
