// Runs once per server process before it serves (never during `next build`): check configuration,
// open the database and apply migrations, and in embedded demo mode seed the demo users.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { ensureAuthSecret } = await import("./lib/auth/secret");
  ensureAuthSecret();
  const { processDatabase } = await import("./lib/db/process-database");
  const handle = await processDatabase();
  console.log(`[ledgerline] database ready: ${handle.target}`);
  if (handle.kind === "pglite") {
    const { env } = await import("./lib/env");
    const { seedDemo, DEMO_ADMIN, DEMO_CUSTOMER } = await import("./lib/demo/seed");
    const config = env();
    const { seeded } = await seedDemo({ db: handle.db, snapshotEvery: config.SNAPSHOT_EVERY, maxAmount: config.MAX_COMMAND_AMOUNT });
    console.log(
      `[ledgerline] embedded demo ${seeded ? "seeded" : "ready"}. Sign in as customer ${DEMO_CUSTOMER.email} / ${DEMO_CUSTOMER.password}` +
        ` or admin ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password}`,
    );
  }
}
