import http from "node:http";
import https from "node:https";
import { isIP } from "node:net";

import { resolveDestination, WebhookDestinationError, type Destination } from "./ssrf";

export type SendOptions = {
  readonly allowPrivate: boolean;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  /** Tests: a resolver standing in for DNS. */
  readonly resolve?: (host: string) => Promise<{ address: string; family: number }[]>;
};

export type SendResult = { readonly status: number | null; readonly error: string | null; readonly durationMs: number };

// Kept-alive connections, so a run of deliveries to one receiver does not pay a TCP (and TLS)
// handshake each. Requests go to the checked IP address itself, which is part of the agents' pool
// key: a pooled socket is only ever reused for a request whose check gave that same address.
// Free sockets close after a few seconds, before the usual receiver's keep-alive timeout (5 s in
// Node, 60 s in nginx), and do not keep the process alive.
const agentOptions = { keepAlive: true, maxSockets: 64, maxFreeSockets: 64, timeout: 4_000 };
const agents = { "http:": new http.Agent(agentOptions), "https:": new https.Agent(agentOptions) };

/**
 * POSTs one signed delivery. The destination is checked on every attempt (DNS may have changed since
 * the endpoint was registered) and the request goes to exactly the checked address (no second
 * lookup between check and connect); the Host header and TLS (SNI and the certificate check) still
 * use the URL's host name. The whole exchange has a deadline, and at most `maxResponseBytes` of the
 * answer are read.
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
    let current: http.ClientRequest | undefined;
    const finish = (status: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ status, error, durationMs: elapsed() });
    };
    const timer = setTimeout(() => {
      finish(null, `No answer within ${options.timeoutMs} ms.`);
      current?.destroy();
    }, options.timeoutMs);
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const post = (pooled: boolean) => {
      const request = (url.protocol === "https:" ? https : http).request(
        {
          protocol: url.protocol,
          host: destination.address,
          family: destination.family,
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method: "POST",
          headers: {
            ...headers,
            host: url.host,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            "user-agent": "Ledgerline-Webhooks/1",
          },
          // SNI and the certificate check are for the name (an IP literal has no SNI).
          ...(url.protocol === "https:" && isIP(host) === 0 ? { servername: host } : {}),
          agent: pooled ? agents[url.protocol as "http:" | "https:"] : false,
        },
        (response) => {
          let received = 0;
          response.on("data", (chunk: Buffer) => {
            received += chunk.length;
            if (received > options.maxResponseBytes) {
              // Enough: the status is what counts; the rest of the answer is not read (nor the socket reused).
              finish(response.statusCode ?? null, null);
              request.destroy();
            }
          });
          response.on("end", () => finish(response.statusCode ?? null, null));
          response.on("error", () => finish(response.statusCode ?? null, null));
        },
      );
      current = request;
      request.on("error", (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the receiver closed just as it was reused: once more on a new connection.
        if (pooled && request.reusedSocket && (error.code === "ECONNRESET" || error.code === "EPIPE") && !settled) post(false);
        else finish(null, `Could not deliver: ${error.message}`.slice(0, 300));
      });
      request.end(body);
    };
    post(true);
  });
}
