// JSON.rawJSON (the TC39 "JSON.parse source text access" proposal) is in V8, so in Node 24, but
// not yet in TypeScript's lib: declared here so bigints are written as exact JSON numbers without a
// cast (lib/event-store/public-event.ts). Global: this file has no imports or exports.

interface RawJSON {
  readonly rawJSON: string;
}

interface JSON {
  /** A value JSON.stringify writes as `text` itself, which must be a JSON primitive's text. */
  rawJSON(text: string): RawJSON;
  isRawJSON(value: unknown): value is RawJSON;
}
