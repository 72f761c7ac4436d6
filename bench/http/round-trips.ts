import { runLoad } from "../load";
import { startCountingProxy } from "../roundtrips";
import { round, sleep } from "../support";
import { deposit, pick } from "./scenarios";
import { startServer, stopServer, type Server } from "./servers";
import { ROUND_TRIP_DEPOSITS } from "./settings";
import { type Account } from "./setup";

// ---------------------------------------------------------------------------------------------
// Round trips per API deposit

export type RoundTrips = {
  deposits: number;
  statuses: Record<string, number>;
  flights: number;
  perDeposit: number | null;
  connectionsOpened: number;
  idleFlights: number;
  /** Per deposit, from the wire; null if a connection was encrypted. */
  transactionsPerDeposit: { explicitCommits: number; autocommits: number; writeCommits: number; rollbacks: number } | null;
};

/**
 * A third server, connected through the counting proxy, takes deposits one at a time (a round
 * trip is what one request waits for; concurrent requests could share flights). Its transfer
 * loop is off, since its polling would be counted too; an idle pause before checks nothing else
 * talks to Postgres. The warm-up opens the pool and prepares the statements on its connections.
 */
export async function measureRoundTrips(databaseUrl: string, accounts: Account[]): Promise<RoundTrips> {
  const target = new URL(databaseUrl);
  const proxy = await startCountingProxy({ host: target.hostname, port: Number(target.port || 5432) });
  let server: Server | undefined;
  try {
    const viaProxy = new URL(databaseUrl);
    viaProxy.hostname = "127.0.0.1";
    viaProxy.port = String(proxy.port);
    server = await startServer(viaProxy.toString(), 3400 + Math.floor(Math.random() * 500) * 2 + 1000, { TRANSFER_RUNNER_INTERVAL_MS: "0" });
    const pool = accounts.slice(0, 100);
    const run = (count: number) =>
      runLoad({ servers: [(server as Server).url], clients: 1, seconds: 120, maxRequests: count, next: () => deposit(pick(pool)) });
    await run(100);
    proxy.reset();
    await sleep(2_000);
    const idleFlights = proxy.flights();
    proxy.reset();
    const figures = await run(ROUND_TRIP_DEPOSITS);
    const flights = proxy.flights();
    const tally = proxy.transactions();
    const per = (n: number) => round(n / Math.max(1, figures.requests), 2);
    return {
      transactionsPerDeposit: tally && {
        explicitCommits: per(tally.explicitCommits),
        autocommits: per(tally.autocommits),
        writeCommits: per(tally.writeCommits),
        rollbacks: per(tally.rollbacks),
      },
      deposits: figures.requests,
      statuses: figures.statuses,
      flights,
      perDeposit: figures.requests > 0 ? round(flights / figures.requests, 2) : null,
      connectionsOpened: proxy.connections(),
      idleFlights,
    };
  } finally {
    if (server) await stopServer(server);
    await proxy.close();
  }
}
