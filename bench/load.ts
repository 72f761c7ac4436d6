/**
 * The HTTP load generators of `npm run bench`, over keep-alive loopback connections:
 * - closed loop (`runLoad`): a fixed number of clients, each sending its next request when the
 *   last one answered, bounded in time and in count;
 * - open loop (`runOpenLoad`): requests at a fixed rate on a timetable, each sent at its scheduled
 *   time whether or not earlier ones have answered, latency timed from the scheduled time.
 * Latency is recorded per route in HDR-style histograms from node:perf_hooks, statuses are
 * counted per route.
 */
import http from "node:http";
import { createHistogram, performance, type RecordableHistogram } from "node:perf_hooks";

export type Request = {
  /** Route name for the figures, e.g. "POST /accounts/{id}/deposits". */
  readonly route: string;
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly token: string;
  readonly body?: unknown;
  readonly idempotencyKey?: string;
  /** Counted as a write in the throughput compared with pgbench. */
  readonly write: boolean;
};

export type RouteFigures = {
  requests: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  statuses: Record<string, number>;
};

/** What both generators report. */
export type TrafficFigures = {
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  /** Writes answered 2xx or 422 (a business refusal is a recorded fact, so it is a write too). */
  writes: number;
  writesPerSecond: number;
  statuses: Record<string, number>;
  routes: Record<string, RouteFigures>;
  /** All routes together. */
  latency: { p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number };
  /** Transport errors (refused or reset connections, timeouts): must be 0. */
  transportErrors: number;
  firstErrors: string[];
};

export type LoadFigures = TrafficFigures & { clients: number };

type Answer = { status: number; body: string };

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);
// An idle keep-alive socket is closed here before the server's 5 s keep-alive timeout closes it:
// reusing one just as the server closes it fails with ECONNRESET, a fault of the generator.
const IDLE_SOCKET_MS = 4_000;

export function send(agent: http.Agent, base: URL, request: Request, timeoutMs = 30_000): Promise<Answer> {
  const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
  const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${request.token}`, accept: "application/json" };
  if (payload !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = Buffer.byteLength(payload);
  }
  if (request.idempotencyKey) headers["idempotency-key"] = request.idempotencyKey;
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: base.hostname, port: base.port, method: request.method, path: `/api/v1${request.path}`, headers, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** Sends one request and parses its JSON answer, failing on an unexpected status (setup only). */
export async function call<T>(
  agent: http.Agent,
  base: URL,
  request: Omit<Request, "write" | "route">,
  expect: number[] = [200, 201, 202],
): Promise<T> {
  const answer = await send(agent, base, { ...request, route: request.path, write: false });
  if (!expect.includes(answer.status)) throw new Error(`${request.method} ${request.path}: ${answer.status} ${answer.body.slice(0, 300)}`);
  return JSON.parse(answer.body) as T;
}

/** Latency histograms and status counts per route, shared by both generators. */
class Recorder {
  private readonly histograms = new Map<string, RecordableHistogram>();
  private readonly statuses = new Map<string, Map<number, number>>();
  readonly all = createHistogram();
  readonly firstErrors: string[] = [];
  transportErrors = 0;
  writes = 0;

  answer(request: Request, latencyMs: number, answer: Answer): void {
    const micros = Math.max(1, Math.round(latencyMs * 1000));
    let histogram = this.histograms.get(request.route);
    if (!histogram) this.histograms.set(request.route, (histogram = createHistogram()));
    histogram.record(micros);
    this.all.record(micros);
    let byStatus = this.statuses.get(request.route);
    if (!byStatus) this.statuses.set(request.route, (byStatus = new Map()));
    byStatus.set(answer.status, (byStatus.get(answer.status) ?? 0) + 1);
    if (request.write && ((answer.status >= 200 && answer.status < 300) || answer.status === 422)) this.writes += 1;
    if (answer.status >= 500 && this.firstErrors.length < 5) this.firstErrors.push(`${request.route} ${answer.status}: ${answer.body.slice(0, 200)}`);
  }

  failure(route: string, error: unknown): void {
    this.transportErrors += 1;
    if (this.firstErrors.length < 5) this.firstErrors.push(`${route}: ${(error as Error).message}`);
  }

  figures(seconds: number): TrafficFigures {
    const routes: Record<string, RouteFigures> = {};
    const totals: Record<string, number> = {};
    let requests = 0;
    for (const [route, histogram] of this.histograms) {
      const byStatus = Object.fromEntries(
        [...(this.statuses.get(route) ?? new Map<number, number>())].sort(([a], [b]) => a - b).map(([status, count]) => [String(status), count]),
      );
      for (const [status, count] of Object.entries(byStatus)) totals[status] = (totals[status] ?? 0) + count;
      requests += histogram.count;
      routes[route] = { requests: histogram.count, perSecond: round(histogram.count / seconds, 1), ...percentiles(histogram), statuses: byStatus };
    }
    return {
      seconds: round(seconds, 2),
      requests,
      requestsPerSecond: round(requests / seconds, 1),
      writes: this.writes,
      writesPerSecond: round(this.writes / seconds, 1),
      statuses: totals,
      routes,
      latency: percentiles(this.all),
      transportErrors: this.transportErrors,
      firstErrors: this.firstErrors,
    };
  }
}

const percentiles = (histogram: RecordableHistogram) => ({
  p50Ms: round(histogram.count ? histogram.percentile(50) / 1000 : 0),
  p95Ms: round(histogram.count ? histogram.percentile(95) / 1000 : 0),
  p99Ms: round(histogram.count ? histogram.percentile(99) / 1000 : 0),
  maxMs: round(histogram.count ? histogram.max / 1000 : 0),
});

function checkLoopback(servers: URL[]): void {
  for (const server of servers) {
    if (!LOOPBACK.has(server.hostname)) throw new Error(`the load generator only targets loopback, not ${server.hostname}`);
  }
}

export async function runLoad(options: {
  servers: URL[];
  clients: number;
  seconds: number;
  maxRequests: number;
  next: (client: number, sequence: number) => Request;
  /** Called with every answer (e.g. to learn ids from the bodies). */
  onAnswer?: (request: Request, answer: Answer) => void;
}): Promise<LoadFigures> {
  checkLoopback(options.servers);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.clients, timeout: IDLE_SOCKET_MS });
  const recorder = new Recorder();
  let issued = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;

  const client = async (index: number) => {
    let sequence = 0;
    while (performance.now() < deadline && issued < options.maxRequests) {
      issued += 1;
      const request = options.next(index, sequence++);
      const server = options.servers[(index + sequence) % options.servers.length] as URL;
      const t0 = performance.now();
      try {
        const answer = await send(agent, server, request);
        recorder.answer(request, performance.now() - t0, answer);
        options.onAnswer?.(request, answer);
      } catch (error) {
        recorder.failure(request.route, error);
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, index) => client(index)));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { ...recorder.figures(seconds), clients: options.clients };
}

// ---------------------------------------------------------------------------------------------
// Open loop

export type Clock = { now: () => number; sleep: (ms: number) => Promise<void> };

const realClock: Clock = { now: () => performance.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) };

export type OpenLoopCounts = {
  /** Requests on the timetable: rate x seconds. */
  scheduled: number;
  sent: number;
  /** Still waiting for a slot when the timetable and the grace period ended: never sent, so absent from the latencies. */
  unsent: number;
  /** Sent more than `lateMs` after their scheduled time (a full in-flight bound, or a late timer). */
  sentLate: number;
  /** Had to wait because `maxInFlight` requests were outstanding at their scheduled time. */
  waitedForSlot: number;
  maxSendLagMs: number;
  peakInFlight: number;
  /** From the first scheduled time to the last answer. */
  elapsedMs: number;
};

export type OpenLoopResult<T> = { sequence: number; scheduledAt: number; sentAt: number; latencyMs: number } & (
  { ok: true; value: T } | { ok: false; error: unknown }
);

/**
 * Request `i` is due at start + i / rate, whatever happened to the requests before it; its latency
 * runs from that due time to its answer. A closed loop (or a timer that waits for answers) would
 * start the clock only when it got round to sending, hiding the queue that built up meanwhile
 * (coordinated omission). At most `maxInFlight` requests are outstanding; a due request beyond
 * that waits for a slot, its wait counted in its latency. Nothing is sent once the timetable and
 * `graceSeconds` after it have passed; what is left is counted as unsent.
 */
export async function openLoop<T>(options: {
  ratePerSecond: number;
  seconds: number;
  maxInFlight: number;
  graceSeconds?: number;
  lateMs?: number;
  clock?: Clock;
  send: (sequence: number) => Promise<T>;
  onResult: (result: OpenLoopResult<T>) => void;
}): Promise<OpenLoopCounts> {
  const clock = options.clock ?? realClock;
  const lateMs = options.lateMs ?? 10;
  const interval = 1000 / options.ratePerSecond;
  const total = Math.round(options.ratePerSecond * options.seconds);
  const start = clock.now();
  const due = (sequence: number) => start + sequence * interval;
  let next = 0; // the next request to send
  let inFlight = 0;
  let peakInFlight = 0;
  let sentLate = 0;
  let waitedForSlot = 0;
  let maxSendLagMs = 0;
  let blockedUpTo = -1; // requests up to this one found the in-flight bound full when due
  let closed = false;
  let lastAnswer = start;
  const running = new Set<Promise<void>>();

  const dispatch = (sequence: number) => {
    const sentAt = clock.now();
    const lag = sentAt - due(sequence);
    if (lag > lateMs) sentLate += 1;
    if (sequence <= blockedUpTo) waitedForSlot += 1;
    maxSendLagMs = Math.max(maxSendLagMs, lag);
    inFlight += 1;
    peakInFlight = Math.max(peakInFlight, inFlight);
    const done = (async () => {
      let outcome: { ok: true; value: T } | { ok: false; error: unknown };
      try {
        outcome = { ok: true, value: await options.send(sequence) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      lastAnswer = clock.now();
      inFlight -= 1;
      options.onResult({ sequence, scheduledAt: due(sequence), sentAt, latencyMs: lastAnswer - due(sequence), ...outcome });
      pump(); // a slot is free: the oldest waiting request goes now
    })();
    running.add(done);
    void done.finally(() => running.delete(done));
  };
  const pump = () => {
    if (closed) return;
    const now = clock.now();
    while (next < total && inFlight < options.maxInFlight && due(next) <= now) dispatch(next++);
  };

  let passed = 0; // requests whose due time the timer has seen pass
  while (passed < total) {
    const wait = due(passed) - clock.now();
    if (wait > 0) await clock.sleep(wait);
    const now = clock.now();
    while (passed < total && due(passed) <= now) passed += 1;
    pump();
    if (next < passed) blockedUpTo = passed - 1;
  }
  const end = due(total); // one interval after the last request's time
  if (end > clock.now()) await clock.sleep(end - clock.now());
  pump();
  // A backlog behind the in-flight bound still goes out during the grace period (freed slots
  // send it), so a short overload is measured in full rather than cut off at the timetable's end.
  const closeAt = end + (options.graceSeconds ?? 0) * 1000;
  while (next < total && clock.now() < closeAt) await clock.sleep(Math.min(50, closeAt - clock.now()));
  closed = true;
  await Promise.all(running);
  return {
    scheduled: total,
    sent: next,
    unsent: total - next,
    sentLate,
    waitedForSlot,
    maxSendLagMs: round(maxSendLagMs),
    peakInFlight,
    elapsedMs: round(lastAnswer - start),
  };
}

export type OpenLoopSummary = OpenLoopCounts & { ratePerSecond: number; maxInFlight: number };

export type OpenLoopFigures = TrafficFigures & { open: OpenLoopSummary };

/** The open loop over HTTP: request `sequence` goes to server `sequence mod servers`. */
export async function runOpenLoad(options: {
  servers: URL[];
  ratePerSecond: number;
  seconds: number;
  maxInFlight: number;
  graceSeconds: number;
  next: (sequence: number) => Request;
}): Promise<OpenLoopFigures> {
  checkLoopback(options.servers);
  // One socket per in-flight request, so no request queues inside the agent unseen.
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxInFlight, timeout: IDLE_SOCKET_MS });
  const recorder = new Recorder();
  const requests = new Map<number, Request>();
  const counts = await openLoop<Answer>({
    ratePerSecond: options.ratePerSecond,
    seconds: options.seconds,
    maxInFlight: options.maxInFlight,
    graceSeconds: options.graceSeconds,
    send: (sequence) => {
      const request = options.next(sequence);
      requests.set(sequence, request);
      return send(agent, options.servers[sequence % options.servers.length] as URL, request);
    },
    onResult: (result) => {
      const request = requests.get(result.sequence);
      requests.delete(result.sequence);
      if (result.ok && request) recorder.answer(request, result.latencyMs, result.value);
      else recorder.failure(request?.route ?? "(request not built)", result.ok ? new Error("no request") : result.error);
    },
  });
  agent.destroy();
  const seconds = Math.max(counts.elapsedMs, options.seconds * 1000) / 1000;
  const figures = recorder.figures(seconds);
  return { ...figures, open: { ...counts, ratePerSecond: options.ratePerSecond, maxInFlight: options.maxInFlight } };
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));
