import "server-only";

import { notFound } from "next/navigation";
import { cache } from "react";

import { database } from "../../db";
import { findAdminAccount, findCustomer, readCustomerSearch, type AdminAccountWithOwner, type AdminCustomerDto } from "../../read-models/customers";
import { requireAdminUser } from "./access";

export type { AdminAccountDto, AdminAccountWithOwner, AdminCustomerDto } from "../../read-models/customers";

/**
 * Customers whose name or email contains `query`, or who hold an account whose number contains it
 * (typed with or without spaces). With no query: the newest sign-ups. At most `limit` people.
 */
export async function searchCustomers(query: string, limit = 50): Promise<AdminCustomerDto[]> {
  await requireAdminUser();
  const { db } = await database();
  return readCustomerSearch(db, query, limit);
}

/** A customer (or admin) with all their accounts; not found otherwise. Memoised per request (React `cache`), like getMyAccount. */
export const getCustomer = cache(async (userId: string): Promise<AdminCustomerDto> => {
  await requireAdminUser();
  const { db } = await database();
  return (await findCustomer(db, userId)) ?? notFound();
});

/** Any account, with its owner; not found otherwise. Memoised per request (React `cache`), like getMyAccount. */
export const getAdminAccount = cache(async (accountId: string): Promise<AdminAccountWithOwner> => {
  await requireAdminUser();
  const { db } = await database();
  return (await findAdminAccount(db, accountId)) ?? notFound();
});
