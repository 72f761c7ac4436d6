"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { createContext, useContext, useEffect, useState } from "react";

import { transferKeys } from "@/lib/queries/transfers";

const LiveContext = createContext(false);

/** Whether this tab's live stream is connected: client queries stop polling while it is. */
export function useLiveConnected(): boolean {
  return useContext(LiveContext);
}

/** After the stream was refused (too many open, signed out, no streaming): poll, and try again this much later. */
const RETRY_CLOSED_MS = 30_000;
/** Without a stream, the server-rendered parts (balances, statements) are refreshed this often. */
const REFRESH_WITHOUT_LIVE_MS = 15_000;
/** Several events of one change (a transfer's steps) make one refresh of the server-rendered parts. */
const REFRESH_DEBOUNCE_MS = 250;

type Change = { kind: "account" | "transfer"; id: string };

/**
 * Keeps the customer's pages current: listens to /api/portal/live (Server-Sent Events), refreshes
 * the server-rendered parts (balances, statements, dashboard) and invalidates the cached transfer
 * progress of what changed.
 * `since` is the position the page was rendered at, where the stream starts. The browser
 * reconnects by itself with Last-Event-ID; when the stream is refused or unavailable, the page
 * is refreshed every REFRESH_WITHOUT_LIVE_MS and the queries poll instead (see useLiveConnected).
 */
export function LiveUpdates({ children, since }: { children: React.ReactNode; since: string | null }) {
  const queryClient = useQueryClient();
  const router = useRouter();
  const [connected, setConnected] = useState(false);
  // The position the layout was first rendered at; later renders (router.refresh) do not restart the stream.
  const [start] = useState(since);

  useEffect(() => {
    if (typeof EventSource === "undefined") return;
    let source: EventSource | undefined;
    let lastEventId = start ?? "";
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let refreshTimer: ReturnType<typeof setTimeout> | undefined;
    let pollTimer: ReturnType<typeof setInterval> | undefined;
    let stopped = false;

    const refresh = () => {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(() => router.refresh(), REFRESH_DEBOUNCE_MS);
    };
    const everything = () => {
      void queryClient.invalidateQueries({ queryKey: transferKeys.all });
      refresh();
    };
    const connect = () => {
      if (stopped) return;
      const query = lastEventId ? `?lastEventId=${encodeURIComponent(lastEventId)}` : "";
      source = new EventSource(`/api/portal/live${query}`);
      source.addEventListener("ready", (event) => {
        const resumed = (JSON.parse((event as MessageEvent<string>).data) as { resumed: boolean }).resumed;
        lastEventId = (event as MessageEvent).lastEventId || lastEventId;
        clearInterval(pollTimer);
        pollTimer = undefined;
        setConnected(true);
        // Resumed from the render's position, the stream itself sends what changed since; a fresh
        // stream starts at "now", so what changed between the render and now is refetched.
        if (!resumed) everything();
      });
      source.addEventListener("change", (event) => {
        const message = event as MessageEvent<string>;
        lastEventId = message.lastEventId || lastEventId;
        const change = JSON.parse(message.data) as Change;
        if (change.kind === "transfer") void queryClient.invalidateQueries({ queryKey: transferKeys.detail(change.id) });
        refresh();
      });
      source.addEventListener("reset", (event) => {
        lastEventId = (event as MessageEvent).lastEventId || lastEventId;
        everything();
      });
      source.addEventListener("message", (event) => {
        lastEventId = event.lastEventId || lastEventId;
      });
      source.onerror = () => {
        setConnected(false);
        if (source?.readyState === EventSource.CLOSED) {
          source = undefined;
          pollTimer ??= setInterval(() => router.refresh(), REFRESH_WITHOUT_LIVE_MS);
          retryTimer = setTimeout(connect, RETRY_CLOSED_MS);
        }
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      clearTimeout(refreshTimer);
      clearInterval(pollTimer);
      source?.close();
    };
  }, [queryClient, router, start]);

  return (
    <LiveContext.Provider value={connected}>
      <span hidden data-testid="live-status" data-connected={connected ? "true" : "false"} />
      {children}
    </LiveContext.Provider>
  );
}
