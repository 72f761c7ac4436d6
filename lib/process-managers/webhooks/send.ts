import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { type Destination, resolveDestination, WebhookDestinationError } from "./ssrf";

export type SendOptions = {
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  /** Tests: a resolver standing in for DNS. */
  readonly resolve?: (host: string) => Promise<{ address: string; family: number }[]>;
};

export type SendResult = { readonly status: number | null; readonly error: string | null; readonly durationMs: number };

/**
 * POSTs one signed delivery. The destination is checked on every attempt (DNS may have changed since
 * the endpoint was registered) and the socket connects to exactly the checked address: the request's
 * lookup answers with it, so nothing resolves the name again between check and connect. TLS still
 * verifies the certificate against the URL's host name. The whole exchange has a deadline, and at
 * most `maxResponseBytes` of the answer are read.
 */
export async function sendWebhook(url: URL, headers: Record<string, string>, body: string, options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  if (url.protocol !== "https:" && !(options.allowPrivate && url.protocol === "http:")) {
    return { status: null, error: "Webhook URLs must use https.", durationMs: elapsed() };
  }
  let destination: Destination;
  try {
    destination = await resolveDestination(url, options);
  } catch (error) {
    const message = error instanceof WebhookDestinationError ? error.message : "The destination could not be checked.";
    return { status: null, error: message, durationMs: elapsed() };
  }
  return new Promise<SendResult>((resolve) => {
    let settled = false;
    const finish = (status: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ status, error, durationMs: elapsed() });
    };
    const pinned: LookupFunction = (_host, lookupOptions, callback) => {
      if ((lookupOptions as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [destination]);
      } else callback(null, destination.address, destination.family);
    };
    const client = url.protocol === "https:" ? https : http;
    const request = client.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: "POST",
        headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body), "user-agent": "Ledgerline-Webhooks/1" },
        lookup: pinned,
        servername: url.hostname,
        agent: false,
      },
      (response) => {
        let received = 0;
        response.on("data", (chunk: Buffer) => {
          received += chunk.length;
          if (received > options.maxResponseBytes) {
            // Enough: the status is what counts; the rest of the answer is not read.
            finish(response.statusCode ?? null, null);
            request.destroy();
          }
        });
        response.on("end", () => finish(response.statusCode ?? null, null));
        response.on("error", () => finish(response.statusCode ?? null, null));
      },
    );
    const timer = setTimeout(() => {
      finish(null, `No answer within ${options.timeoutMs} ms.`);
      request.destroy();
    }, options.timeoutMs);
    request.on("error", (error) => finish(null, `Could not deliver: ${error.message}`.slice(0, 300)));
    request.end(body);
  });
}
