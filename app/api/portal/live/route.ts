import { openMyLiveStream } from "@/lib/dal/live";
import { currentUser } from "@/lib/dal/session";

// A stream, never cached or prerendered. On Vercel a function runs for at most its maxDuration:
// the stream ends before (LIVE_STREAM_SECONDS) and the browser reconnects from its Last-Event-ID.
export const dynamic = "force-dynamic";
export const maxDuration = 300;

/** Server-Sent Events: which of the signed-in customer's accounts and transfers just changed. */
export async function GET(request: Request) {
  const user = await currentUser();
  if (!user) return Response.json({ error: "Sign in first." }, { status: 401 });
  if (user.role !== "customer") return Response.json({ error: "Not found." }, { status: 404 });
  return openMyLiveStream(user, request);
}
