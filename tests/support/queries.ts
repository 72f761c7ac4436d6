import { sql } from "drizzle-orm";

import { rowsOf, type Database } from "@/lib/db/client";

export async function countEvents(db: Database): Promise<number> {
  const rows = rowsOf<{ n: string }>(await db.execute(sql`select count(*)::text as n from events`));
  return Number(rows[0]?.n);
}

export async function accountBalance(db: Database, accountId: string): Promise<bigint> {
  const rows = rowsOf<{ balance: string }>(
    await db.execute(sql`select balance::text as balance from account_summary where account_id = ${accountId}`),
  );
  if (!rows[0]) throw new Error(`no summary for ${accountId}`);
  return BigInt(rows[0].balance);
}

export async function streamPositions(db: Database, streamId: string): Promise<number[]> {
  const rows = rowsOf<{ p: string }>(
    await db.execute(sql`select stream_position::text as p from events where stream_id = ${streamId} order by stream_position`),
  );
  return rows.map((row) => Number(row.p));
}
