/** Headers that tie a request's log lines and events together. */
export const REQUEST_ID_HEADER = "x-request-id";
export const CORRELATION_ID_HEADER = "x-correlation-id";

// Printable, short and without spaces or quotes: safe to copy into logs and event metadata as is.
const SANE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$/;

/** The value if it looks like an id a proxy or client would send, else undefined (we make our own). */
export function saneId(value: string | null | undefined): string | undefined {
  return value && SANE_ID.test(value) ? value : undefined;
}

/** The request id (set by proxy.ts) and the correlation id (the caller's, else the request id). */
export function idsFromHeaders(headers: Headers): { requestId: string; correlationId: string } {
  const requestId = saneId(headers.get(REQUEST_ID_HEADER)) ?? crypto.randomUUID();
  return { requestId, correlationId: saneId(headers.get(CORRELATION_ID_HEADER)) ?? requestId };
}
