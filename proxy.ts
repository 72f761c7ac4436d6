import { type NextRequest, NextResponse } from "next/server";

// Optimistic only: no cookie, no point rendering a customer page, so send the visitor to sign in.
// It proves nothing: every page, action and route checks the session itself through lib/dal.
const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];

export function proxy(request: NextRequest) {
  const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name));
  if (hasSession) return NextResponse.next();
  const url = request.nextUrl.clone();
  url.pathname = "/sign-in";
  url.search = `?next=${encodeURIComponent(request.nextUrl.pathname + request.nextUrl.search)}`;
  return NextResponse.redirect(url);
}

export const config = { matcher: ["/dashboard/:path*", "/accounts/:path*", "/transfers/:path*", "/settings/:path*", "/admin/:path*"] };
