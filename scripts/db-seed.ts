import { connectFromEnv } from "../lib/db/connect";
import { DEMO_ADMIN, DEMO_ADMIN_TOTP_SECRET, DEMO_CUSTOMER, DEMO_SECOND_ADMIN, DEMO_SECOND_ADMIN_TOTP_SECRET, seedDemo } from "../lib/demo/seed";
import { env } from "../lib/env";

// Seeds the demo customer and admin on whatever database is configured, when asked to.
// (The embedded mode seeds itself at start; a real DATABASE_URL is never seeded unasked.)
async function main() {
  const handle = await connectFromEnv();
  try {
    const config = env();
    const { seeded } = await seedDemo({ db: handle.db, snapshotEvery: config.SNAPSHOT_EVERY, maxAmount: config.MAX_COMMAND_AMOUNT });
    console.log(seeded ? `Seeded demo users on ${handle.target}:` : `Demo users already exist on ${handle.target}:`);
    console.log(`  customer ${DEMO_CUSTOMER.email} / ${DEMO_CUSTOMER.password}`);
    console.log(`  admin    ${DEMO_ADMIN.email} / ${DEMO_ADMIN.password} (authenticator secret ${DEMO_ADMIN_TOTP_SECRET})`);
    console.log(`  admin    ${DEMO_SECOND_ADMIN.email} / ${DEMO_SECOND_ADMIN.password} (authenticator secret ${DEMO_SECOND_ADMIN_TOTP_SECRET})`);
  } finally {
    await handle.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
