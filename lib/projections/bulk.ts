import { getTableConfig, type PgColumn, type PgTable } from "drizzle-orm/pg-core";

import { tableColumns } from "../db/rows";
import { toJsonValue } from "../domain/shared/json";

export { bulkSql, quoteIdent, type BulkSql } from "../db/bulk-sql";

// ---------------------------------------------------------------------------------------------
// Binary COPY rows

type Kind = "text" | "int8" | "int4" | "bool" | "jsonb" | "uuid" | "timestamptz";
const KINDS: Record<string, Kind> = {
  text: "text",
  bigint: "int8",
  integer: "int4",
  boolean: "bool",
  jsonb: "jsonb",
  uuid: "uuid",
  "timestamp with time zone": "timestamptz",
};

/** How one projection table's Drizzle rows map onto its columns for COPY and back. */
export type CopyShape = {
  readonly table: string;
  readonly columns: readonly string[];
  /** The Drizzle row's property for each column. */
  readonly keys: readonly string[];
  /** The SQL type of each column as the schema declares it (format_type spelling). */
  readonly types: readonly string[];
  readonly kinds: readonly Kind[];
  readonly primaryKey: readonly string[];
  /** A raw row (as BulkSql returns it, columns in order) as the Drizzle row a select would give. */
  fromRaw: (values: readonly unknown[], offset?: number) => Record<string, unknown>;
};

const shapes = new WeakMap<PgTable, CopyShape>();

export function copyShape(table: PgTable): CopyShape {
  let shape = shapes.get(table);
  if (shape) return shape;
  const { table: name, names, keys, primaryKey } = tableColumns(table);
  const byName = new Map(getTableConfig(table).columns.map((column) => [column.name, column]));
  const columns = names.map((column) => byName.get(column) as PgColumn);
  const types = columns.map((column) => column.getSQLType());
  const kinds = types.map((type, index) => {
    const kind = KINDS[type];
    if (!kind) throw new Error(`${name}.${names[index]}: no binary COPY encoding for ${type}`);
    return kind;
  });
  shape = {
    table: name,
    columns: names,
    keys,
    types,
    kinds,
    primaryKey,
    fromRaw(values, offset = 0) {
      const row: Record<string, unknown> = {};
      columns.forEach((column, index) => {
        const value = values[offset + index];
        row[keys[index] as string] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
      });
      return row;
    },
  };
  shapes.set(table, shape);
  return shape;
}

/** JSON.stringify gives toJsonValue's text for anything but bigints, where it throws. */
function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify(toJsonValue(value));
  }
}

/**
 * `(writer, row) => { writer.start(n); v = row.key; v == null ? writer.null() : writer.int8(v); … }`
 * written out per table, so every property read is a named one V8 can cache and every writer call
 * goes to one method: read by computed key in a loop and dispatched on the type, the sixteen fields
 * of a row were the largest cost of encoding.
 */
function compileEncoder(shape: CopyShape): (writer: BinaryRows, row: Record<string, unknown>) => void {
  const lines = shape.keys.map(
    (key, index) =>
      `value = row[${JSON.stringify(key)}]; if (value === null || value === undefined) writer.null(); else writer.${shape.kinds[index]}(value);`,
  );
  return new Function("writer", "row", `let value;\nwriter.start(${shape.keys.length});\n${lines.join("\n")}`) as (
    writer: BinaryRows,
    row: Record<string, unknown>,
  ) => void;
}

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_32 = 4_294_967_296;
const CHUNK_BYTES = 1 << 20;
const HEX_DIGIT: number[] = [];
for (let digit = 0; digit < 16; digit++) {
  HEX_DIGIT["0123456789abcdef".charCodeAt(digit)] = digit;
  HEX_DIGIT["0123456789ABCDEF".charCodeAt(digit)] = digit;
}

/**
 * Encodes rows in COPY's binary format: no text escaping in Node, and no text parsing of
 * timestamps, bigints and uuids in Postgres (about a third of its COPY time in text format).
 * Rows accumulate in 1 MiB buffers; `take` hands them over as one COPY's data.
 */
export class BinaryRows {
  private chunks: Buffer[] = [];
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private at = 0;
  count = 0;
  private readonly encode: (writer: BinaryRows, row: Record<string, unknown>) => void;

  constructor(readonly shape: CopyShape) {
    this.encode = compileEncoder(shape);
    this.header();
  }

  add(row: Record<string, unknown>): void {
    this.encode(this, row);
    this.count++;
  }

  // The field writers, one per type, called by the compiled encoder. Bytes are written by hand:
  // Buffer's write methods check their arguments on every call, a third of the encoding time at
  // about sixteen fields a row.

  null(): void {
    this.room(4);
    this.int32(-1);
  }

  text(value: unknown): void {
    this.string(typeof value === "string" ? value : String(value), 0);
  }

  jsonb(value: unknown): void {
    this.string(jsonText(value), 1);
  }

  int8(value: unknown): void {
    this.room(12);
    this.int32(8);
    this.int64(typeof value === "bigint" ? value : BigInt(value as string));
  }

  int4(value: unknown): void {
    this.room(8);
    this.int32(4);
    this.int32(Number(value));
  }

  bool(value: unknown): void {
    this.room(5);
    this.int32(1);
    this.buffer[this.at++] = value === true || value === "t" || value === "true" ? 1 : 0;
  }

  uuid(value: unknown): void {
    this.room(20);
    this.int32(16);
    this.uuidBytes(String(value));
  }

  timestamptz(value: unknown): void {
    const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
    if (!Number.isFinite(ms)) throw new Error(`${this.shape.table}: not a time: ${String(value)}`);
    this.room(12);
    this.int32(8);
    // Microseconds since 2000-01-01 fit a double exactly for any date a Date can hold.
    this.int64Number((ms - POSTGRES_EPOCH_MS) * 1000);
  }

  start(fields: number): void {
    this.room(2);
    this.int16(fields);
  }

  private int16(value: number): void {
    const buffer = this.buffer;
    buffer[this.at] = value >>> 8;
    buffer[this.at + 1] = value;
    this.at += 2;
  }

  private int32(value: number): void {
    const buffer = this.buffer;
    const at = this.at;
    buffer[at] = value >>> 24;
    buffer[at + 1] = value >>> 16;
    buffer[at + 2] = value >>> 8;
    buffer[at + 3] = value;
    this.at = at + 4;
  }

  private int64(value: bigint): void {
    const number = Number(value);
    if (Number.isSafeInteger(number)) return this.int64Number(number);
    this.at = this.buffer.writeBigInt64BE(value, this.at);
  }

  /** A safe integer as a big-endian int64: high word (signed), then low word. */
  private int64Number(value: number): void {
    const high = Math.floor(value / TWO_32);
    this.int32(high);
    this.int32(value - high * TWO_32);
  }

  private uuidBytes(value: string): void {
    const buffer = this.buffer;
    let at = this.at;
    let high = -1;
    for (let index = 0; index < value.length; index++) {
      const code = value.charCodeAt(index);
      if (code === 45) continue; // "-"
      const digit = HEX_DIGIT[code] ?? -1;
      if (digit < 0) throw new Error(`${this.shape.table}: not a uuid: ${value}`);
      if (high < 0) high = digit;
      else {
        buffer[at++] = (high << 4) | digit;
        high = -1;
      }
    }
    if (at - this.at !== 16 || high >= 0) throw new Error(`${this.shape.table}: not a uuid: ${value}`);
    this.at = at;
  }

  /** The data of one COPY (header, rows, trailer) and a fresh start for the next. */
  take(): Buffer[] {
    this.room(2);
    this.int16(-1);
    this.flush();
    const chunks = this.chunks;
    this.chunks = [];
    this.count = 0;
    this.buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    this.header();
    return chunks;
  }

  private header(): void {
    this.room(SIGNATURE.length + 8);
    this.at += SIGNATURE.copy(this.buffer, this.at);
    this.int32(0); // flags
    this.int32(0); // header extension length
  }

  /** A length-prefixed UTF-8 field; jsonb's binary form is a version byte (1) and the text. */
  private string(value: string, jsonbVersion: 0 | 1): void {
    const prefix = 4 + jsonbVersion;
    const length = value.length;
    this.room(prefix + length * 3);
    const buffer = this.buffer;
    const start = this.at + prefix;
    let at = start;
    // Nearly every value is ASCII: copy it by hand, and let Buffer encode anything else.
    for (let index = 0; index < length; index++) {
      const code = value.charCodeAt(index);
      if (code > 127) {
        at = start + buffer.write(value, start, "utf8");
        break;
      }
      buffer[at++] = code;
    }
    const written = at - start;
    this.int32(written + jsonbVersion);
    if (jsonbVersion) buffer[this.at] = 1;
    this.at = at;
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    this.flush();
    this.buffer = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes));
  }

  private flush(): void {
    if (this.at > 0) this.chunks.push(this.buffer.subarray(0, this.at));
    this.at = 0;
  }
}
