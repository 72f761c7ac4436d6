import { queryOptions } from "@tanstack/react-query";

import type { TransferDto } from "../dal/transfers";

export const transferKeys = {
  all: ["transfers"] as const,
  detail: (transferId: string) => ["transfers", transferId] as const,
};

const TERMINAL = new Set(["completed", "failed"]);

/**
 * Without a live stream, polls while the transfer moves: every second, every five while it waits for
 * review, never once it ends. With one (`live`), the stream's push invalidates it instead.
 */
export function transferQuery(transferId: string, initialData?: TransferDto, options: { live?: boolean } = {}) {
  return queryOptions({
    queryKey: transferKeys.detail(transferId),
    queryFn: async (): Promise<TransferDto> => {
      const response = await fetch(`/api/portal/transfers/${transferId}`, { cache: "no-store" });
      if (!response.ok) throw new Error(`Could not load the transfer (${response.status})`);
      return ((await response.json()) as { transfer: TransferDto }).transfer;
    },
    initialData,
    staleTime: 0,
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      if (options.live || !status || TERMINAL.has(status)) return false;
      return status === "held" || status === "sent" ? 5_000 : 1_000;
    },
  });
}
