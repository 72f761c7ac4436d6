import "server-only";

import { headers } from "next/headers";

import { env } from "../env";

/**
 * The origin links in mails point to: AUTH_URL when set (always set it in production: without it
 * the origin comes from the request's Host, which whoever asks for a reset link chooses), else the
 * origin this request came to.
 */
export async function publicOrigin(): Promise<string> {
  const configured = env().AUTH_URL;
  if (configured) return new URL(configured).origin;
  const list = await headers();
  const host = (list.get("host") ?? "localhost").slice(0, 255);
  const proto = list.get("x-forwarded-proto") === "https" ? "https" : "http";
  return `${proto}://${host}`;
}
