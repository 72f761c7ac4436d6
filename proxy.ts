import { NextResponse, type NextRequest } from "next/server";

import { REQUEST_ID_HEADER, saneId } from "./lib/request-id";
import { HSTS, newNonce, pageContentSecurityPolicy } from "./lib/security-headers";

// Three jobs, none of them an access decision:
// 1. Give every request an id (the caller's x-request-id if it looks sane, else a new one) on the
//    request that pages, actions and routes see, and on the response, so a log line can be found
//    from what a user or a load balancer reports.
// 2. Optimistic redirect: no session cookie, no point rendering a customer page, so send the visitor
//    to sign in. It proves nothing: every page, action and route checks the session through lib/dal.
// 3. Pages' Content-Security-Policy with a fresh nonce: set on the request, where Next reads the nonce
//    and puts it on its own scripts, and on the response (lib/security-headers.ts; the headers every
//    response gets, and the policy of what is not a page, are in next.config.ts).
const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];
const SIGNED_IN_AREAS = ["/dashboard", "/accounts", "/transfers", "/settings", "/notifications", "/admin"];

function needsSession(pathname: string): boolean {
  return SIGNED_IN_AREAS.some((area) => pathname === area || pathname.startsWith(`${area}/`));
}

export function proxy(request: NextRequest) {
  const requestId = saneId(request.headers.get(REQUEST_ID_HEADER)) ?? crypto.randomUUID();
  const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name));
  const isPage = !request.nextUrl.pathname.startsWith("/api/");
  const policy = isPage ? pageContentSecurityPolicy(newNonce(), process.env.NODE_ENV === "development") : undefined;
  let response: NextResponse;
  if (hasSession || !needsSession(request.nextUrl.pathname)) {
    const forwarded = new Headers(request.headers);
    forwarded.set(REQUEST_ID_HEADER, requestId);
    if (policy) forwarded.set("content-security-policy", policy);
    response = NextResponse.next({ request: { headers: forwarded } });
  } else {
    const url = request.nextUrl.clone();
    url.pathname = "/sign-in";
    url.search = `?next=${encodeURIComponent(request.nextUrl.pathname + request.nextUrl.search)}`;
    response = NextResponse.redirect(url);
  }
  response.headers.set(REQUEST_ID_HEADER, requestId);
  if (policy) {
    response.headers.set("content-security-policy", policy);
    if (request.headers.get("x-forwarded-proto") === "https" || request.nextUrl.protocol === "https:") response.headers.set(HSTS.key, HSTS.value);
  }
  return response;
}

// Everything but build assets and the JSON API: other API routes (health, ready, metrics) get a
// request id and are never redirected. /api/v1 sets its own request id (lib/api/route.ts) and needs
// no redirect, so it skips the proxy, which costs every request a second pass through Next.
export const config = { matcher: ["/((?!_next/static|_next/image|favicon.ico|api/v1/).*)"] };
