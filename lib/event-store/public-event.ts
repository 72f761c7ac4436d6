import { sql, type SQL } from "drizzle-orm";

import { rowsOf, type Database } from "../db/client";
import { accountEventCodec } from "../domain/account/codec";
import { approvalEventCodec } from "../domain/approval/codec";
import { identityEventCodec } from "../domain/identity/events";
import { operationsEventCodec } from "../domain/operations/events";
import { sanctionsEventCodec } from "../domain/sanctions/codec";
import type { EventCodec } from "../domain/shared/codec";
import type { JsonValue } from "../domain/shared/json";
import { transferEventCodec } from "../domain/transfer/codec";
import type { RawEvent } from "./types";

/**
 * An event as the outside world sees it: the API's event feed, webhook bodies and broker messages
 * all carry this shape. Positions are integers; `data` is the event's stored data (amounts are
 * integers in minor units). For customers, what only the bank may know (why an admin froze an
 * account, which sanctions entry held a transfer) is left out, as the portal leaves it out.
 */
export type PublicEvent = {
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamType: string;
  readonly streamId: string;
  readonly streamPosition: bigint;
  readonly globalPosition: bigint;
  readonly recordedAt: string;
  readonly data: JsonValue;
  readonly actor: { readonly role: string; readonly id: string | null };
  readonly correlationId: string | null;
};

/** Fields of these events that an admin wrote for the bank's eyes only. */
const BANK_ONLY: Record<string, readonly string[]> = {
  AccountFrozen: ["reason"],
  AccountUnfrozen: ["reason"],
  AccountClosed: ["reason"],
  TransferHeld: ["reason", "matches"],
  TransferReleased: ["reason"],
};

/** Codecs by stream type: the public shape carries decoded data (upcast to the current version, amounts as integers). */
type AnyCodec = Pick<EventCodec<{ type: string; data: unknown }>, "decodeTrusted"> & { encode: (event: never) => { schemaVersion: number } };
const CODECS: Record<string, AnyCodec> = {
  account: accountEventCodec,
  transfer: transferEventCodec,
  user: identityEventCodec,
  signin: identityEventCodec,
  sanctions: sanctionsEventCodec,
  operations: operationsEventCodec,
  approval: approvalEventCodec,
};

function decodedData(raw: RawEvent): { data: JsonValue; schemaVersion: number } {
  const codec = CODECS[raw.streamType];
  if (!codec) return { data: raw.data, schemaVersion: raw.schemaVersion };
  try {
    const event = codec.decodeTrusted(raw.type, raw.schemaVersion, raw.data);
    return { data: event.data as JsonValue, schemaVersion: codec.encode(event as never).schemaVersion };
  } catch {
    return { data: raw.data, schemaVersion: raw.schemaVersion };
  }
}

export function toPublicEvent(raw: RawEvent, audience: { readonly role: "admin" | "customer"; readonly userId?: string }): PublicEvent {
  const decoded = decodedData(raw);
  let data = decoded.data;
  const hidden = audience.role === "admin" ? undefined : BANK_ONLY[raw.type];
  if (hidden && data && typeof data === "object" && !Array.isArray(data)) {
    data = Object.fromEntries(Object.entries(data).filter(([key]) => !hidden.includes(key))) as JsonValue;
  }
  const own = audience.role === "admin" || raw.metadata.actorId === audience.userId;
  return {
    id: raw.eventId,
    type: raw.type,
    schemaVersion: decoded.schemaVersion,
    streamType: raw.streamType,
    streamId: raw.streamId,
    streamPosition: raw.streamPosition,
    globalPosition: raw.globalPosition,
    recordedAt: raw.recordedAt.toISOString(),
    data,
    actor: { role: raw.metadata.actorRole, id: own ? raw.metadata.actorId : null },
    correlationId: own ? raw.metadata.correlationId : null,
  };
}

/** JSON text of a public event (positions as exact integers). */
export function publicEventJson(event: PublicEvent): string {
  return JSON.stringify(event, (_key, value: unknown) => (typeof value === "bigint" ? JSON.rawJSON(value.toString()) : value));
}

/**
 * The streams a customer's integrations see: their accounts' streams and the transfers they sent
 * (the payee sees the credit on their own account's stream). Read from the inline projections,
 * which are written in the same transaction as the events, so they exist whenever the event does.
 */
export const customerStreams = (userId: string): SQL => sql`(
  select 'account-' || a.account_id from account_summary a where a.customer_id = ${userId}
  union all
  select 'transfer-' || t.transfer_id from transfers_view t where t.from_customer_id = ${userId})`;

/** The customer each of these streams belongs to (accounts: the holder; transfers: the sender). */
export async function streamOwners(db: Database, streamIds: readonly string[]): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  if (streamIds.length === 0) return owners;
  const unique = [...new Set(streamIds)];
  const ids = (prefix: string) => unique.filter((id) => id.startsWith(prefix)).map((id) => sql`${id.slice(prefix.length)}`);
  const accounts = ids("account-");
  const transfers = ids("transfer-");
  const rows: { stream_id: string; owner: string }[] = [];
  if (accounts.length > 0) {
    rows.push(
      ...rowsOf<{ stream_id: string; owner: string }>(
        await db.execute(
          sql`select 'account-' || account_id as stream_id, customer_id as owner from account_summary where account_id in (${sql.join(accounts, sql`, `)})`,
        ),
      ),
    );
  }
  if (transfers.length > 0) {
    rows.push(
      ...rowsOf<{ stream_id: string; owner: string }>(
        await db.execute(
          sql`select 'transfer-' || transfer_id as stream_id, from_customer_id as owner from transfers_view where transfer_id in (${sql.join(transfers, sql`, `)})`,
        ),
      ),
    );
  }
  for (const row of rows) owners.set(row.stream_id, row.owner);
  return owners;
}
