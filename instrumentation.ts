// Runs once per server process before it serves (never during `next build`): open the database
// and apply migrations, so the first request does not pay for it and a bad DATABASE_URL fails fast.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { processDatabase } = await import("./lib/db/process-database");
  const handle = await processDatabase();
  console.log(`[ledgerline] database ready: ${handle.target}`);
}
