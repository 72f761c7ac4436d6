import net from "node:net";

/**
 * A TCP proxy in front of Postgres that reads the wire protocol going by: it counts what a client
 * sends (flights, that is round trips; statements; commits), and it can cut the connection at a
 * chosen message, as a process that dies there would. Tests use it to hold the command path to its
 * round-trip budget and to crash a command before or after its COMMIT.
 */
export type PgMessage = { readonly type: string; readonly text: string; readonly body: Buffer };

/** What to do with a message: pass it on, or drop the connection (the client never learns more). */
export type TapDecision = "forward" | "cut";

export type PgTap = {
  readonly port: number;
  /** Connection URL through the proxy, from a direct one. */
  url: (direct: string) => string;
  /** Counting since the last reset, over every connection. */
  counts: () => { flights: number; statements: number; commits: number; connections: number; queries: string[] };
  reset: () => void;
  /** Called for each client message and each server message, with the connection's number; "cut" drops that connection. */
  onClient: ((message: PgMessage, connection: number) => TapDecision) | undefined;
  onServer: ((message: PgMessage, connection: number) => TapDecision) | undefined;
  close: () => Promise<void>;
};

type Parsed = { type: string; body: Buffer; raw: Buffer };

/** Splits a byte stream into protocol messages; `startup` for the client's untyped first messages. */
function messageReader(startup: boolean) {
  let pending = Buffer.alloc(0);
  let untyped = startup;
  return (chunk: Buffer): Parsed[] => {
    pending = Buffer.concat([pending, chunk]);
    const out: Parsed[] = [];
    for (;;) {
      if (untyped) {
        if (pending.length < 8) break;
        const length = pending.readInt32BE(0);
        if (pending.length < length) break;
        const code = pending.readInt32BE(4);
        out.push({ type: code === 80877103 ? "ssl-request" : "startup", body: pending.subarray(8, length), raw: pending.subarray(0, length) });
        pending = pending.subarray(length);
        // An SSL request is followed by the real startup message, also untyped.
        if (code !== 80877103) untyped = false;
        continue;
      }
      if (pending.length < 5) break;
      const length = pending.readInt32BE(1);
      if (pending.length < length + 1) break;
      out.push({ type: String.fromCharCode(pending[0] as number), body: pending.subarray(5, length + 1), raw: pending.subarray(0, length + 1) });
      pending = pending.subarray(length + 1);
    }
    return out;
  };
}

const cString = (body: Buffer, from = 0) => {
  const end = body.indexOf(0, from);
  return body.toString("utf8", from, end < 0 ? body.length : end);
};

/**
 * The readable part of a message: the query of a Parse or Query, the statement a Bind runs (a
 * prepared statement is parsed once per connection, then only bound), the tag of a CommandComplete.
 */
function describe(message: Parsed, prepared: Map<string, string>): PgMessage {
  switch (message.type) {
    case "Q":
      return { type: "Q", text: cString(message.body), body: message.body };
    case "P": {
      const name = cString(message.body);
      const text = cString(message.body, message.body.indexOf(0) + 1);
      if (name) prepared.set(name, text);
      return { type: "P", text, body: message.body };
    }
    case "B": {
      const statement = cString(message.body, message.body.indexOf(0) + 1);
      return { type: "B", text: prepared.get(statement) ?? "", body: message.body };
    }
    default:
      return { type: message.type, text: message.type === "C" ? cString(message.body) : "", body: message.body };
  }
}

/**
 * `latencyMs` delays what the server sends by that much, as a network would: then a client that
 * pipelines (sends its next statements without waiting, even a moment later) is told apart from
 * one that waits for an answer, and a flight is a true round trip.
 */
export async function startPgTap(target: { host: string; port: number }, options: { latencyMs?: number } = {}): Promise<PgTap> {
  const sockets = new Set<net.Socket>();
  let flights = 0;
  let statements = 0;
  let commits = 0;
  let connections = 0;
  let opened = 0;
  let queries: string[] = [];

  const tap: PgTap = {
    port: 0,
    url(direct) {
      const parsed = new URL(direct);
      parsed.hostname = "127.0.0.1";
      parsed.port = String(tap.port);
      return parsed.toString();
    },
    counts: () => ({ flights, statements, commits, connections, queries: [...queries] }),
    reset() {
      flights = statements = commits = connections = 0;
      queries = [];
    },
    onClient: undefined,
    onServer: undefined,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };

  const server = net.createServer((client) => {
    const number = ++opened;
    connections++;
    const upstream = net.connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      // Forward at once: Nagle's algorithm would hold a pipelined statement back until the
      // previous segment's ACK, which a delayed ACK makes 40 ms.
      socket.setNoDelay(true);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {});
    }
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    const fromClient = messageReader(true);
    const prepared = new Map<string, string>();
    // The statement of the last unnamed Parse, which the next Bind to "" runs.
    let unnamed = "";
    let sslAnswerPending = false;
    const fromServer = messageReader(false);
    // Sync and Query messages sent whose ReadyForQuery has not reached the client yet.
    let unanswered = 0;

    client.on("data", (chunk: Buffer) => {
      const forward: Buffer[] = [];
      let sentSomething = false;
      for (const message of fromClient(chunk)) {
        if (message.type === "ssl-request") sslAnswerPending = true;
        let readable = describe(message, prepared);
        if (message.type === "P" && cString(message.body) === "") unnamed = readable.text;
        if (message.type === "B" && readable.text === "") readable = { type: "B", text: unnamed, body: message.body };
        if (message.type === "E") statements++;
        if (message.type === "Q" || message.type === "B") queries.push(readable.text);
        if (message.type === "Q") statements++;
        if (tap.onClient?.(readable, number) === "cut") return cut();
        forward.push(message.raw);
        sentSomething = true;
      }
      // A new round trip: the client sends while every answer it asked for has reached it (it was
      // waiting). With latency, a pipelined send always arrives before the earlier answers do.
      if (sentSomething && unanswered === 0) flights++;
      unanswered += forward.filter((raw) => raw[0] === 0x53 /* S */ || raw[0] === 0x51 /* Q */).length;
      if (forward.length > 0) upstream.write(Buffer.concat(forward));
    });

    upstream.on("data", (chunk: Buffer) => {
      let data = chunk;
      if (sslAnswerPending && data.length > 0) {
        // The answer to an SSL request is one untyped byte ('N': no TLS here).
        sslAnswerPending = false;
        client.write(data.subarray(0, 1));
        data = data.subarray(1);
      }
      const forward: Buffer[] = [];
      for (const message of fromServer(data)) {
        const readable = describe(message, prepared);
        if (message.type === "C" && readable.text === "COMMIT") commits++;
        if (tap.onServer?.(readable, number) === "cut") return cut();
        forward.push(message.raw);
      }
      if (forward.length === 0) return;
      const ready = forward.filter((raw) => raw[0] === 0x5a /* Z */).length;
      const deliver = () => {
        unanswered = Math.max(0, unanswered - ready);
        client.write(Buffer.concat(forward));
      };
      // Timers of equal delay fire in order, so the stream keeps its order.
      if (options.latencyMs) setTimeout(deliver, options.latencyMs);
      else deliver();
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  (tap as { port: number }).port = (server.address() as net.AddressInfo).port;
  return tap;
}
