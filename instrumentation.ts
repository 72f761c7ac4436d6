// Runs once per server process before it serves (never during `next build`). Node-only work lives in
// lib/server-start.ts, imported only on the Node.js runtime so the Edge bundle never sees it.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // First, before any request: stamp each request with its socket's address (lib/client-address.ts).
  const { installPeerAddressHeader } = await import("./lib/client-address");
  installPeerAddressHeader();
  const { startServer } = await import("./lib/server-start");
  await startServer();
}
