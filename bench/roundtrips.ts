/**
 * Round trips and transactions between a server and Postgres, counted by the wire-protocol proxy of
 * tests/support/pg-tap.ts (for `npm run bench`):
 * - flights: a send the client makes while every answer it asked for has reached it (it was
 *   waiting) is one more. The proxy holds the server's answers back by a few milliseconds, as a
 *   network would, so a statement the client pipelined (even one flushed a moment later) is never
 *   mistaken for a round trip; an upper bound when unrelated work shares a connection.
 * - transactions, read from the server's messages (CommandComplete tags, ReadyForQuery status):
 *   explicit COMMITs, and all committed transactions that wrote, autocommitted statements included
 *   (each of those is a WAL flush at commit).
 */
import { startPgTap } from "../tests/support/pg-tap";

export type TransactionTally = {
  /** `COMMIT` completed (an explicit transaction block). */
  explicitCommits: number;
  /** Single statements outside a block, each its own transaction. */
  autocommits: number;
  /** Committed transactions, explicit or not, that ran INSERT, UPDATE, DELETE, MERGE or COPY. */
  writeCommits: number;
  rollbacks: number;
};

const WRITE_TAG = /^(INSERT|UPDATE|DELETE|MERGE|COPY)\b/;

/**
 * One connection's server messages, in order. A ReadyForQuery with status I ends a transaction: a
 * block if a COMMIT or ROLLBACK tag came since the last one (or the last status was T or E), else an
 * autocommitted statement, which an ErrorResponse rolls back.
 */
export class WireTap {
  readonly tally: TransactionTally = { explicitCommits: 0, autocommits: 0, writeCommits: 0, rollbacks: 0 };
  private status = "I"; // of the last ReadyForQuery: I idle, T in a block, E in a failed block
  // Since the last ReadyForQuery:
  private commands = 0;
  private ended: "COMMIT" | "ROLLBACK" | null = null;
  private failed = false;
  // Since the transaction began:
  private wrote = false;

  /** One server message (the proxy has framed it already). */
  message(type: string, body: Buffer): void {
    if (type === "E") this.failed = true;
    if (type === "C") {
      const tag = body.toString("latin1", 0, Math.max(0, body.indexOf(0)));
      this.commands += 1;
      if (WRITE_TAG.test(tag)) this.wrote = true;
      if (tag === "COMMIT") this.tally.explicitCommits += 1;
      if (tag === "COMMIT" || tag === "ROLLBACK") this.ended = tag;
    }
    if (type !== "Z") return;
    const status = String.fromCharCode(body[0] as number);
    if (status === "I") {
      let committed = false;
      if (this.status === "I" && this.ended === null) {
        // A statement outside a block (or the start-up's first ReadyForQuery, with no commands).
        if (this.commands > 0 && !this.failed) {
          this.tally.autocommits += 1;
          committed = true;
        } else if (this.commands > 0 || this.failed) this.tally.rollbacks += 1;
      } else {
        // A block ended: COMMIT in a failed block answers ROLLBACK, so the tag decides.
        committed = this.ended === "COMMIT";
        if (!committed) this.tally.rollbacks += 1;
      }
      if (committed && this.wrote) this.tally.writeCommits += 1;
      this.wrote = false;
    }
    this.status = status;
    this.commands = 0;
    this.ended = null;
    this.failed = false;
  }
}

export type CountingProxy = {
  port: number;
  /** Flights over all connections since the last reset. */
  flights: () => number;
  /** Connections opened since the last reset (a new connection's start-up is flights too). */
  connections: () => number;
  /** Transactions since the last reset. */
  transactions: () => TransactionTally;
  reset: () => void;
  close: () => Promise<void>;
};

/** `latencyMs`: how long the proxy holds the server's answers (see the header). */
export async function startCountingProxy(target: { host: string; port: number }, options: { latencyMs?: number } = {}): Promise<CountingProxy> {
  const proxy = await startPgTap(target, { latencyMs: options.latencyMs ?? 20 });
  const taps = new Map<number, WireTap>();
  const zero = (): TransactionTally => ({ explicitCommits: 0, autocommits: 0, writeCommits: 0, rollbacks: 0 });
  let tallyBase = zero();
  proxy.onServer = (message, connection) => {
    let tap = taps.get(connection);
    if (!tap) taps.set(connection, (tap = new WireTap()));
    tap.message(message.type, message.body);
    return "forward";
  };
  const tallies = () => {
    const sum = zero();
    for (const tap of taps.values()) for (const key of Object.keys(sum) as (keyof TransactionTally)[]) sum[key] += tap.tally[key];
    return sum;
  };
  return {
    port: proxy.port,
    flights: () => proxy.counts().flights,
    connections: () => proxy.counts().connections,
    transactions: () => {
      const now = tallies();
      return Object.fromEntries((Object.keys(now) as (keyof TransactionTally)[]).map((key) => [key, now[key] - tallyBase[key]])) as TransactionTally;
    },
    reset: () => {
      proxy.reset();
      tallyBase = tallies();
    },
    close: () => proxy.close(),
  };
}
