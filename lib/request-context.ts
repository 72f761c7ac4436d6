import "server-only";
import { headers } from "next/headers";
import { idsFromHeaders } from "./request-id";

/**
 * The current request's ids, for server actions, pages and routes: the request id proxy.ts put on
 * the request, and the correlation id events will carry. Outside a request (the background loop)
 * there are no headers, so fresh ids are made.
 */
export async function requestIds(): Promise<{ requestId: string; correlationId: string }> {
  try {
    return idsFromHeaders(await headers());
  } catch {
    return idsFromHeaders(new Headers());
  }
}
