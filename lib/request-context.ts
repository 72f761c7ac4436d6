import "server-only";

import { headers } from "next/headers";

import { fromConfiguredProxy } from "./client-address";
import { idsFromHeaders, type RequestIds } from "./request-id";

/**
 * The current request's ids, for server actions, pages and routes: the request id proxy.ts put on
 * the request, and the correlation id events will carry. Outside a request (the background loop)
 * there are no headers, so fresh ids are made.
 */
export async function requestIds(): Promise<RequestIds> {
  try {
    const current = await headers();
    return idsFromHeaders(current, fromConfiguredProxy(current));
  } catch {
    return idsFromHeaders(new Headers());
  }
}
