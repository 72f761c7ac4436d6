import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type CountingProxy, FlightCounter, startCountingProxy, WireTap } from "@/bench/roundtrips";

/** A server→client protocol message: type byte, int32 length (itself included), body. */
function message(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}
const complete = (tag: string) => message("C", Buffer.from(`${tag}\0`, "latin1"));
const ready = (status: "I" | "T" | "E") => message("Z", Buffer.from(status, "latin1"));
const failure = () => message("E", Buffer.from("SERROR\0C23505\0\0", "latin1"));

describe("FlightCounter", () => {
  it("counts a send after an answer as a new flight, and sends in a row as one", () => {
    const counter = new FlightCounter();
    counter.client(); // start-up
    counter.server();
    counter.client(); // parse + bind + execute, pipelined
    counter.client();
    counter.client();
    counter.server();
    counter.server();
    counter.client(); // commit, after reading the answer
    expect(counter.flights).toBe(3);
  });
});

describe("WireTap", () => {
  it("tells explicit COMMITs, autocommitted statements, committed writes and rollbacks apart, in chunks cut anywhere", () => {
    const stream = Buffer.concat([
      // start-up: authentication ok, a parameter, the key, ready
      message("R", Buffer.from([0, 0, 0, 0])),
      message("S", Buffer.from("TimeZone\0UTC\0", "latin1")),
      message("K", Buffer.alloc(8)),
      ready("I"),
      // token lookup, then the idempotency claim: one autocommit that reads, one that writes
      complete("SELECT 1"),
      ready("I"),
      complete("INSERT 0 1"),
      ready("I"),
      // the command's block
      complete("BEGIN"),
      ready("T"),
      complete("SELECT 1"),
      ready("T"),
      complete("INSERT 0 1"),
      ready("T"),
      complete("UPDATE 1"),
      ready("T"),
      complete("COMMIT"),
      ready("I"),
      // the stored response
      complete("UPDATE 1"),
      ready("I"),
      // a block that failed, then a statement that failed on its own
      complete("BEGIN"),
      ready("T"),
      failure(),
      ready("E"),
      complete("ROLLBACK"),
      ready("I"),
      failure(),
      ready("I"),
    ]);
    const tap = new WireTap();
    tap.client(Buffer.from([0, 0, 0, 40, 0, 3, 0, 0])); // a start-up message, not TLS
    for (let at = 0; at < stream.length; at += 3) tap.server(stream.subarray(at, at + 3));
    expect(tap.readable).toBe(true);
    expect(tap.tally).toEqual({ explicitCommits: 1, autocommits: 3, writeCommits: 3, rollbacks: 2 });
  });

  it("gives up on a connection that asks for TLS", () => {
    const tap = new WireTap();
    const sslRequest = Buffer.alloc(8);
    sslRequest.writeInt32BE(8, 0);
    sslRequest.writeInt32BE(80877103, 4);
    tap.client(sslRequest);
    tap.server(Buffer.from("S"));
    expect(tap.readable).toBe(false);
  });
});

describe("startCountingProxy", () => {
  let upstream: net.Server | undefined;
  let proxy: CountingProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    await new Promise((resolve) => (upstream ? upstream.close(resolve) : resolve(undefined)));
  });

  it("forwards both ways and counts the flights the client waited for", async () => {
    // The upstream answers each line once it is complete, so two writes of one line are one flight.
    upstream = net.createServer((socket) => {
      let buffered = "";
      socket.on("data", (chunk) => {
        buffered += chunk.toString();
        for (let i = buffered.indexOf("\n"); i >= 0; i = buffered.indexOf("\n")) {
          socket.write(`${buffered.slice(0, i).toUpperCase()}\n`);
          buffered = buffered.slice(i + 1);
        }
      });
    });
    await new Promise<void>((resolve) => (upstream as net.Server).listen(0, "127.0.0.1", resolve));
    proxy = await startCountingProxy({ host: "127.0.0.1", port: (upstream.address() as net.AddressInfo).port });
    const client = net.connect(proxy.port, "127.0.0.1");
    const answers: string[] = [];
    const answer = () => new Promise<void>((resolve) => client.once("data", (chunk) => (answers.push(chunk.toString()), resolve())));
    await new Promise((resolve) => client.once("connect", resolve));
    client.write("ab");
    client.write("c\n");
    await answer();
    client.write("d\n");
    await answer();
    client.end();
    expect(answers).toEqual(["ABC\n", "D\n"]);
    expect(proxy.flights()).toBe(2);
    expect(proxy.connections()).toBe(1);
    proxy.reset();
    expect(proxy.flights()).toBe(0);
    expect(proxy.connections()).toBe(0);
  });
});
