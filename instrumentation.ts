// Runs once per server process before it serves (never during `next build`). Node-only work lives in
// lib/server-start.ts, imported only on the Node.js runtime so the Edge bundle never sees it.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startServer } = await import("./lib/server-start");
  await startServer();
}
