// The Docker HEALTHCHECK: slim images have no curl, so node asks the server's liveness route.
// Exit 0 when /api/health answers 2xx within 4 seconds, 1 otherwise.
const port = process.env.PORT || "3000";
try {
  const response = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(4_000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
