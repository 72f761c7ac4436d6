import type { z } from "zod";
import { type JsonValue, toJsonValue } from "../domain/shared/json";

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
  handles: (type: string) => boolean;
};

type SchemaEntry = { version: number; schema: z.ZodType; upcasters?: Record<number, Upcaster> };

export function defineEventCodec<Event extends { type: string; data: unknown }>(
  entries: { [Type in Event["type"]]: SchemaEntry },
): EventCodec<Event> {
  const table = entries as Record<string, SchemaEntry>;
  return {
    encode(event) {
      const entry = table[event.type];
      if (!entry) throw new Error(`No codec for event type ${event.type}`);
      return { type: event.type, schemaVersion: entry.version, data: toJsonValue(event.data) };
    },
    decode(type, schemaVersion, data) {
      const entry = table[type];
      if (!entry) throw new Error(`No codec for event type ${type}`);
      let current = data as JsonValue;
      for (let version = schemaVersion; version < entry.version; version++) {
        const upcast = entry.upcasters?.[version];
        if (!upcast) throw new Error(`No upcaster for ${type} from schema version ${version}`);
        current = upcast(current);
      }
      if (schemaVersion > entry.version) {
        throw new Error(`${type} v${schemaVersion} is newer than this code understands (v${entry.version})`);
      }
      return { type, data: entry.schema.parse(current) } as Event;
    },
    handles: (type) => Object.hasOwn(table, type),
  };
}
