/**
 * Round trips and transactions between a server and Postgres, counted by a TCP proxy in between
 * (for `npm run bench`):
 * - flights: every time the client side sends after the server side has answered is one more. A
 *   statement the client pipelines behind another, before any answer came back, rides in the same
 *   flight; a statement sent after reading an answer starts a new one. So the count is the round
 *   trips the client waited for, an upper bound when unrelated work shares a connection.
 * - transactions, read from the server's messages (CommandComplete tags, ReadyForQuery status):
 *   explicit COMMITs, and all committed transactions that wrote, autocommitted statements included
 *   (each of those is a WAL flush at commit).
 */
import net from "node:net";

/** One connection's flights: a client→server send that follows server→client data (or opens it). */
export class FlightCounter {
  flights = 0;
  private last: "client" | "server" | null = null;

  client(): void {
    if (this.last !== "client") this.flights += 1;
    this.last = "client";
  }

  server(): void {
    this.last = "server";
  }
}

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
 * Reads one connection's server→client byte stream (type byte, int32 length, body), in chunks cut
 * anywhere. A ReadyForQuery with status I ends a transaction: a block if a COMMIT or ROLLBACK tag
 * came since the last one (or the last status was T or E), else an autocommitted statement, which
 * an ErrorResponse rolls back. An encrypted connection cannot be read: its client's first message
 * asks for TLS, and the tap gives up on it.
 */
export class WireTap {
  readonly tally: TransactionTally = { explicitCommits: 0, autocommits: 0, writeCommits: 0, rollbacks: 0 };
  readable = true;
  private pending: Buffer = Buffer.alloc(0);
  private sawClient = false;
  private status = "I"; // of the last ReadyForQuery: I idle, T in a block, E in a failed block
  // Since the last ReadyForQuery:
  private commands = 0;
  private ended: "COMMIT" | "ROLLBACK" | null = null;
  private failed = false;
  // Since the transaction began:
  private wrote = false;

  client(chunk: Buffer): void {
    // SSLRequest and GSSENCRequest: length 8, then 80877103 or 80877104, before any other message.
    if (!this.sawClient && chunk.length >= 8 && chunk.readInt32BE(0) === 8 && [80877103, 80877104].includes(chunk.readInt32BE(4))) this.readable = false;
    this.sawClient = true;
  }

  server(chunk: Buffer): void {
    if (!this.readable) return;
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    while (this.pending.length - at >= 5) {
      const length = this.pending.readInt32BE(at + 1);
      if (length < 4) {
        this.readable = false; // not the protocol we know: count nothing rather than nonsense
        return;
      }
      if (this.pending.length - at < 1 + length) break;
      this.message(String.fromCharCode(this.pending[at] as number), this.pending.subarray(at + 5, at + 1 + length));
      at += 1 + length;
    }
    this.pending = this.pending.subarray(at);
  }

  private message(type: string, body: Buffer): void {
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
  /** Transactions since the last reset; null when a connection could not be read (TLS). */
  transactions: () => TransactionTally | null;
  reset: () => void;
  close: () => Promise<void>;
};

export async function startCountingProxy(target: { host: string; port: number }): Promise<CountingProxy> {
  const counters = new Set<FlightCounter>();
  const taps = new Set<WireTap>();
  const zero = (): TransactionTally => ({ explicitCommits: 0, autocommits: 0, writeCommits: 0, rollbacks: 0 });
  let tallyBase = zero();
  const sockets = new Set<net.Socket>();
  let base = 0; // flights of connections counted before the last reset
  let opened = 0;
  const server = net.createServer((client) => {
    const counter = new FlightCounter();
    const tap = new WireTap();
    counters.add(counter);
    taps.add(tap);
    opened += 1;
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true); // forward at once: the proxy must not merge or delay flights
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
      socket.on("close", () => {
        sockets.delete(socket);
        (socket === client ? upstream : client).end();
      });
    }
    client.on("data", (chunk: Buffer) => {
      counter.client();
      tap.client(chunk);
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      counter.server();
      tap.server(chunk);
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const total = () => [...counters].reduce((n, c) => n + c.flights, 0);
  const tallies = () => {
    const sum = zero();
    for (const tap of taps) for (const key of Object.keys(sum) as (keyof TransactionTally)[]) sum[key] += tap.tally[key];
    return sum;
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    flights: () => total() - base,
    connections: () => opened,
    transactions: () => {
      if ([...taps].some((tap) => !tap.readable)) return null;
      const now = tallies();
      return Object.fromEntries((Object.keys(now) as (keyof TransactionTally)[]).map((key) => [key, now[key] - tallyBase[key]])) as TransactionTally;
    },
    reset: () => {
      base = total();
      tallyBase = tallies();
      opened = 0;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
