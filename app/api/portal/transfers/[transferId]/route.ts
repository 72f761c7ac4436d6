import { currentUser } from "@/lib/dal/session";
import { findMyTransfer } from "@/lib/dal/transfers";

/** A transfer the signed-in customer sent or received, for the live progress page. */
export async function GET(_request: Request, { params }: { params: Promise<{ transferId: string }> }) {
  const user = await currentUser();
  if (!user) return Response.json({ error: "Sign in first." }, { status: 401 });
  const { transferId } = await params;
  const transfer = await findMyTransfer(user, transferId);
  if (!transfer) return Response.json({ error: "Not found." }, { status: 404 });
  return Response.json({ transfer }, { headers: { "cache-control": "private, no-store" } });
}
