import "server-only";

import { notFound } from "next/navigation";

import { database } from "../../db";
import { readAccountHistory, type AccountHistoryDto, type HistoryTarget } from "../../read-models/account-history";
import { requireAdminUser } from "./access";

export {
  type AccountHistoryDto,
  type HistoryStateDto,
  type HistoryTarget,
  parseHistoryTarget,
  type TimelineEntryDto,
} from "../../read-models/account-history";

/** An account as of a position or an instant, for admins; "not found" for an account that does not exist. */
export async function getAccountHistory(accountId: string, target: HistoryTarget): Promise<AccountHistoryDto> {
  await requireAdminUser();
  const { db } = await database();
  return (await readAccountHistory(db, accountId, target)) ?? notFound();
}
