/**
 * A small closed-loop HTTP load generator for `npm run bench`: a fixed number of clients, each
 * sending its next request when the last one answered, over keep-alive loopback connections,
 * bounded in time and in count. Latency is recorded per route in HDR-style histograms from
 * node:perf_hooks, statuses are counted per route.
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

export type LoadFigures = {
  seconds: number;
  clients: number;
  requests: number;
  requestsPerSecond: number;
  /** Writes answered 2xx or 422 (a business refusal is a recorded fact, so it is a write too). */
  writesPerSecond: number;
  statuses: Record<string, number>;
  routes: Record<string, RouteFigures>;
  /** Transport errors (refused or reset connections, timeouts): must be 0. */
  transportErrors: number;
  firstErrors: string[];
};

type Answer = { status: number; body: string };

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);

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
export async function call<T>(agent: http.Agent, base: URL, request: Omit<Request, "write" | "route">, expect: number[] = [200, 201, 202]): Promise<T> {
  const answer = await send(agent, base, { ...request, route: request.path, write: false });
  if (!expect.includes(answer.status)) throw new Error(`${request.method} ${request.path}: ${answer.status} ${answer.body.slice(0, 300)}`);
  return JSON.parse(answer.body) as T;
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
  for (const server of options.servers) {
    if (!LOOPBACK.has(server.hostname)) throw new Error(`the load generator only targets loopback, not ${server.hostname}`);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.clients });
  const histograms = new Map<string, RecordableHistogram>();
  const statuses = new Map<string, Map<number, number>>();
  const firstErrors: string[] = [];
  let transportErrors = 0;
  let issued = 0;
  let writes = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;

  const record = (route: string, micros: number, status: number) => {
    let histogram = histograms.get(route);
    if (!histogram) histograms.set(route, (histogram = createHistogram()));
    histogram.record(Math.max(1, Math.round(micros)));
    let byStatus = statuses.get(route);
    if (!byStatus) statuses.set(route, (byStatus = new Map()));
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  };

  const client = async (index: number) => {
    let sequence = 0;
    while (performance.now() < deadline && issued < options.maxRequests) {
      issued += 1;
      const request = options.next(index, sequence++);
      const server = options.servers[(index + sequence) % options.servers.length] as URL;
      const t0 = performance.now();
      try {
        const answer = await send(agent, server, request);
        record(request.route, (performance.now() - t0) * 1000, answer.status);
        if (request.write && ((answer.status >= 200 && answer.status < 300) || answer.status === 422)) writes += 1;
        if (answer.status >= 500 && firstErrors.length < 5) firstErrors.push(`${request.route} ${answer.status}: ${answer.body.slice(0, 200)}`);
        options.onAnswer?.(request, answer);
      } catch (error) {
        transportErrors += 1;
        if (firstErrors.length < 5) firstErrors.push(`${request.route}: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, index) => client(index)));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();

  const routes: Record<string, RouteFigures> = {};
  const totals: Record<string, number> = {};
  let requests = 0;
  for (const [route, histogram] of histograms) {
    const byStatus = Object.fromEntries([...(statuses.get(route) ?? new Map<number, number>())].sort(([a], [b]) => a - b).map(([status, count]) => [String(status), count]));
    for (const [status, count] of Object.entries(byStatus)) totals[status] = (totals[status] ?? 0) + count;
    requests += histogram.count;
    routes[route] = {
      requests: histogram.count,
      perSecond: round(histogram.count / seconds, 1),
      p50Ms: round(histogram.percentile(50) / 1000),
      p95Ms: round(histogram.percentile(95) / 1000),
      p99Ms: round(histogram.percentile(99) / 1000),
      maxMs: round(histogram.max / 1000),
      statuses: byStatus,
    };
  }
  return {
    seconds: round(seconds, 2),
    clients: options.clients,
    requests,
    requestsPerSecond: round(requests / seconds, 1),
    writesPerSecond: round(writes / seconds, 1),
    statuses: totals,
    routes,
    transportErrors,
    firstErrors,
  };
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));
