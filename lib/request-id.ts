/** Headers that tie a request's log lines and events together. */
export const REQUEST_ID_HEADER = "x-request-id";
export const CORRELATION_ID_HEADER = "x-correlation-id";

// Printable, short and without spaces or quotes: safe to copy into logs and event metadata as is.
const SANE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

/** The value if it looks like an id a proxy or client would send, else undefined (we make our own). */
export function saneId(value: string | null | undefined): string | undefined {
  return value && SANE_ID.test(value) ? value : undefined;
}

export type RequestIds = { requestId: string; correlationId: string; claimedCorrelationId?: string };

/**
 * The request id (set by proxy.ts) and the correlation id events carry. A caller's
 * `X-Correlation-Id` becomes the correlation id only when the caller is trusted (a proxy named in
 * TRUSTED_PROXIES); anyone else's is kept apart as `claimedCorrelationId`, the client's claim, and
 * our request id is the correlation id.
 */
export function idsFromHeaders(headers: Headers, trustedCaller = false): RequestIds {
  const requestId = saneId(headers.get(REQUEST_ID_HEADER)) ?? crypto.randomUUID();
  const claimed = saneId(headers.get(CORRELATION_ID_HEADER));
  if (claimed && trustedCaller) return { requestId, correlationId: claimed };
  return claimed ? { requestId, correlationId: requestId, claimedCorrelationId: claimed } : { requestId, correlationId: requestId };
}
