import { queryOptions } from "@tanstack/react-query";
import type { AccountDto } from "../dal/accounts";

/** Query keys for account data; invalidate `accountKeys.all` after every successful command. */
export const accountKeys = {
  all: ["accounts"] as const,
  detail: (accountId: string) => ["accounts", accountId] as const,
};

export function accountQuery(accountId: string, initialData?: AccountDto) {
  return queryOptions({
    queryKey: accountKeys.detail(accountId),
    queryFn: async (): Promise<AccountDto> => {
      const response = await fetch(`/api/portal/accounts/${accountId}`, { cache: "no-store" });
      if (!response.ok) throw new Error(`Could not load the account (${response.status})`);
      return ((await response.json()) as { account: AccountDto }).account;
    },
    initialData,
  });
}
