import { connectFromEnv } from "../lib/db/connect";

// Applies drizzle-kit's migrations to DATABASE_URL, or to the embedded PGlite when it is unset.
// Never run it against the data directory of a PGlite server that is running (one process per dir).
async function main() {
  const handle = await connectFromEnv({ migrate: true });
  console.log(`Migrations applied to ${handle.target}`);
  await handle.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
