import type { z } from "zod";

import { toJsonValue, type JsonValue } from "./json";

/** Turns an older stored shape of one event type into the next version's shape. */
export type Upcaster = (data: JsonValue) => JsonValue;

/**
 * How one stream type's events are stored: the current schema version and zod schema of each event
 * type (decoding stored JSON back into domain values, bigints included), plus the upcasters that lift
 * old versions. Events are read through `decode`, so old rows keep working when a shape changes.
 */
export type EventCodec<Event extends { type: string; data: unknown }> = {
  encode: (event: Event) => { type: string; schemaVersion: number; data: JsonValue };
  decode: (type: string, schemaVersion: number, data: unknown) => Event;
  /**
   * `decode` without validation, for data the store already validated when it was appended (a
   * projection rebuild reads a million events): upcasters still run, and the schema's transforms
   * (minor units to bigint) still apply, but nothing is checked. Never for data from outside.
   */
  decodeTrusted: (type: string, schemaVersion: number, data: unknown) => Event;
  handles: (type: string) => boolean;
};

type SchemaEntry<Data = unknown> = { version: number; schema: z.ZodType<Data>; upcasters?: Record<number, Upcaster> };

/**
 * Each event type's entry: its schema must parse to that event's data, so a schema that drifts from
 * its event (a field missing, renamed or of another type) fails to compile.
 */
export type CodecEntries<Event extends { type: string; data: unknown }> = {
  [Type in Event["type"]]: SchemaEntry<Extract<Event, { type: Type }>["data"]>;
};

export function defineEventCodec<Event extends { type: string; data: unknown }>(entries: CodecEntries<Event>): EventCodec<Event> {
  const table = entries as Record<string, SchemaEntry>;
  const trusted = new Map<string, Converter>();
  return {
    encode(event) {
      const entry = table[event.type];
      if (!entry) throw new Error(`No codec for event type ${event.type}`);
      return { type: event.type, schemaVersion: entry.version, data: toJsonValue(event.data) };
    },
    decode(type, schemaVersion, data) {
      const entry = entryFor(type);
      return { type, data: entry.schema.parse(upcast(entry, type, schemaVersion, data)) } as Event;
    },
    decodeTrusted(type, schemaVersion, data) {
      const entry = entryFor(type);
      const current = upcast(entry, type, schemaVersion, data);
      let convert = trusted.get(type);
      if (convert === undefined) {
        convert = trustedConverter(entry.schema);
        trusted.set(type, convert);
      }
      return { type, data: convert === PASS_THROUGH ? current : convert === UNSUPPORTED ? entry.schema.parse(current) : convert(current) } as Event;
    },
    handles: (type) => Object.hasOwn(table, type),
  };

  function entryFor(type: string): SchemaEntry {
    const entry = table[type];
    if (!entry) throw new Error(`No codec for event type ${type}`);
    return entry;
  }
}

function upcast(entry: SchemaEntry, type: string, schemaVersion: number, data: unknown): JsonValue {
  let current = data as JsonValue;
  for (let version = schemaVersion; version < entry.version; version++) {
    const step = entry.upcasters?.[version];
    if (!step) throw new Error(`No upcaster for ${type} from schema version ${version}`);
    current = step(current);
  }
  if (schemaVersion > entry.version) {
    throw new Error(`${type} v${schemaVersion} is newer than this code understands (v${entry.version})`);
  }
  return current;
}

/** What decodeTrusted does to a value of one schema: nothing, a function, or (unknown shape) a full parse. */
type Converter = ((value: unknown) => unknown) | typeof PASS_THROUGH | typeof UNSUPPORTED;
const PASS_THROUGH = Symbol("pass through");
const UNSUPPORTED = Symbol("unsupported");

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  out?: z.ZodType;
  transform?: (input: unknown, payload: unknown) => unknown;
};

/** What a zod transform gets as its context; a class, so no closure is made per value. */
class TransformPayload {
  readonly issues: unknown[] = [];
  constructor(readonly value: unknown) {}
  addIssue(issue: unknown): void {
    this.issues.push(issue);
  }
}

/**
 * Derives from a zod schema only what parsing would change in valid data: its transforms (and the
 * objects and arrays around them); checks are dropped. A shape it does not know (defaults, catch,
 * lazy, codecs, unions that transform) falls back to a full parse, so the result is what
 * `schema.parse` returns for valid input, except that keys the schema does not name are kept.
 */
function trustedConverter(schema: z.ZodType): Converter {
  const def = schema._zod.def as Def;
  switch (def.type) {
    case "string":
    case "number":
    case "boolean":
    case "bigint":
    case "enum":
    case "literal":
    case "null":
    case "any":
    case "unknown":
      return PASS_THROUGH;
    case "nullable":
    case "optional": {
      const inner = trustedConverter(def.innerType as z.ZodType);
      if (inner === PASS_THROUGH || inner === UNSUPPORTED) return inner;
      return (value) => (value === null || value === undefined ? value : inner(value));
    }
    case "object": {
      const fields: [string, (value: unknown) => unknown][] = [];
      for (const [key, field] of Object.entries(def.shape ?? {})) {
        const convert = trustedConverter(field);
        if (convert === UNSUPPORTED) return UNSUPPORTED;
        if (convert !== PASS_THROUGH) fields.push([key, convert]);
      }
      if (fields.length === 0) return PASS_THROUGH;
      return (value) => {
        const out = { ...(value as Record<string, unknown>) };
        for (const [key, convert] of fields) if (key in out) out[key] = convert(out[key]);
        return out;
      };
    }
    case "array": {
      const element = trustedConverter(def.element as z.ZodType);
      if (element === PASS_THROUGH || element === UNSUPPORTED) return element;
      return (value) => (value as unknown[]).map(element);
    }
    case "record": {
      if (trustedConverter(def.keyType as z.ZodType) !== PASS_THROUGH) return UNSUPPORTED;
      const inner = trustedConverter(def.valueType as z.ZodType);
      if (inner === PASS_THROUGH || inner === UNSUPPORTED) return inner;
      return (value) => Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, inner(item)]));
    }
    case "union":
      return (def.options ?? []).every((option) => trustedConverter(option) === PASS_THROUGH) ? PASS_THROUGH : UNSUPPORTED;
    case "pipe": {
      if (def.transform) return UNSUPPORTED; // a z.codec: its own decode logic
      const first = trustedConverter(def.in as z.ZodType);
      const second = trustedConverter(def.out as z.ZodType);
      if (first === UNSUPPORTED || second === UNSUPPORTED) return UNSUPPORTED;
      if (first === PASS_THROUGH) return second;
      if (second === PASS_THROUGH) return first;
      return (value) => second(first(value));
    }
    case "transform": {
      const transform = def.transform as (input: unknown, payload: unknown) => unknown;
      return (value) => {
        const payload = new TransformPayload(value);
        const out = transform(value, payload);
        if (payload.issues.length > 0 || out instanceof Promise) throw new Error("A transform refused a stored event's data");
        return out;
      };
    }
    default:
      return UNSUPPORTED;
  }
}
