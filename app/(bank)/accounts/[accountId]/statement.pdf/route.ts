import { getMonthlyStatementPdf } from "@/lib/dal/accounts";
import { currentUser } from "@/lib/dal/session";
import { ValidationError } from "@/lib/domain/shared/errors";

// The account page's month picker: GET ?month=YYYY-MM. Ownership is checked in the DAL.
export async function GET(request: Request, { params }: { params: Promise<{ accountId: string }> }) {
  const user = await currentUser();
  if (!user) return new Response("Sign in to download statements.", { status: 401 });
  const { accountId } = await params;
  try {
    const pdf = await getMonthlyStatementPdf(user, accountId, new URL(request.url).searchParams.get("month"));
    if (!pdf) return new Response("Not found", { status: 404 });
    return new Response(new Uint8Array(pdf.bytes), {
      headers: {
        "content-type": "application/pdf",
        "content-disposition": `attachment; filename="${pdf.filename}"`,
        "cache-control": "private, no-store",
      },
    });
  } catch (error) {
    if (error instanceof ValidationError) {
      return new Response(Object.values(error.fieldErrors).flat().join(" "), {
        status: 400,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    throw error;
  }
}
