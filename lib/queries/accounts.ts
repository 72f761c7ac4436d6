import { queryOptions } from "@tanstack/react-query";
import type { AccountDto } from "../dal/accounts";

/** Query keys for account data; invalidate `accountKeys.all` after every successful command. */
export const accountKeys = {
  all: ["accounts"] as const,
  detail: (accountId: string) => ["accounts", accountId] as const,
};

/** Fallback when the page has no live stream: look again this often. */
const POLL_WITHOUT_LIVE_MS = 15_000;

export function accountQuery(accountId: string, initialData?: AccountDto, options: { live?: boolean } = {}) {
  return queryOptions({
    queryKey: accountKeys.detail(accountId),
    queryFn: async (): Promise<AccountDto> => {
      const response = await fetch(`/api/portal/accounts/${accountId}`, { cache: "no-store" });
      if (!response.ok) throw new Error(`Could not load the account (${response.status})`);
      return ((await response.json()) as { account: AccountDto }).account;
    },
    initialData,
    refetchInterval: options.live ? false : POLL_WITHOUT_LIVE_MS,
  });
}
