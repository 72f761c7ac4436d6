import path from "node:path";

import { intEnv } from "../support";

// The tunables the header of bench/http.ts documents, read once for every part of the bench.
export const ADMIN_URL = process.env.DATABASE_URL;
export const SECONDS = intEnv("BENCH_SECONDS", 20);
export const WARMUP_SECONDS = intEnv("BENCH_WARMUP_SECONDS", 3);
export const CLIENTS = intEnv("BENCH_CLIENTS", 16);
export const PGBENCH_SECONDS = intEnv("BENCH_PGBENCH_SECONDS", 20);
export const POOL_MAX = intEnv("BENCH_POOL_MAX", 8);
export const MAX_REQUESTS = intEnv("BENCH_MAX_REQUESTS", 1_000_000);
export const SCENARIOS = (process.env.BENCH_SCENARIOS ?? "random,events-out,hot,mixed,transfers,open-100,open-300")
  .split(",")
  .map((name) => name.trim());
export const OPEN_MAX_IN_FLIGHT = intEnv("BENCH_OPEN_MAX_IN_FLIGHT", 256);
export const OPEN_GRACE_SECONDS = intEnv("BENCH_OPEN_GRACE_SECONDS", 5, 0);
export const ROUND_TRIP_DEPOSITS = intEnv("BENCH_ROUND_TRIP_DEPOSITS", 200, 0);
export const CPU_PROFILES = process.env.BENCH_CPU_PROF === "1";
// The events-out scenario: random writes while the servers deliver every event to a webhook receiver
// (and relay to NATS, which is on for the whole run). 0 leaves out NATS, the webhooks and the scenario.
export const EVENTS_OUT = process.env.BENCH_EVENTS_OUT !== "0";
// The servers' ports: BENCH_PORT and the next one, or a random pair from 3400 (two runs side by side rarely meet).
export const BASE_PORT = process.env.BENCH_PORT ? intEnv("BENCH_PORT", 3400) : 3400 + Math.floor(Math.random() * 500) * 2;
export const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
// Unset means the servers run without LOG_LEVEL, i.e. at production's default (info: one JSON line
// per API call with its command), so the figures include what logging costs in production.
export const LOG_LEVEL = process.env.BENCH_LOG_LEVEL || undefined;
export const COMPARE_RESULTS = process.env.BENCH_COMPARE_RESULTS || undefined;
export const SERVER_COUNT = 2;
export const USERS = 10;
export const ACCOUNTS = 250;
export const OPENING_BALANCE = 100_000_000; // 1,000,000.00 EUR: withdrawals of up to 100.00 rarely run dry
export const PASSWORD = "quiet lantern harbour bench";
export const RESULTS_DIR = path.join(import.meta.dirname, "..", "results");
