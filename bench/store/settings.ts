import { type CommandContext } from "../../lib/commands/accounts";
import { ACCOUNT_STATE_SCHEMA_VERSION, decodeAccountState } from "../../lib/domain/account/codec";
import { type AccountState } from "../../lib/domain/account/state";
import { type SnapshotPolicy } from "../../lib/event-store/load";
import { intEnv, listEnv } from "../support";

export const ADMIN_URL = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
export const DURATION_MS = intEnv("BENCH_DURATION_MS", 8_000);
export const WARMUP_MS = intEnv("BENCH_WARMUP_MS", 1_000);
export const ACCOUNT_COUNT = intEnv("BENCH_ACCOUNTS", 1_000);
export const WORKER_COUNTS = listEnv("BENCH_WORKERS", [1, 4, 16]);
export const STREAM_SIZES = listEnv("BENCH_STREAM_SIZES", [100, 10_000, 100_000]);
export const TIMEOUT_MS = intEnv("BENCH_TIMEOUT_MS", 1_800_000);
export const LARGE_EVENTS = intEnv("BENCH_LARGE_EVENTS", 1_000_000, 0);
export const LARGE_VERIFY = intEnv("BENCH_LARGE_VERIFY", 0, 0) > 0;
export const STATEMENT_RUNS = intEnv("BENCH_STATEMENT_RUNS", 200);

export const SETTINGS: Omit<CommandContext, "db"> = { snapshotEvery: 100, maxAmount: 100_000_000n };
export const WITH_SNAPSHOTS: SnapshotPolicy<AccountState> = {
  schemaVersion: ACCOUNT_STATE_SCHEMA_VERSION,
  decode: decodeAccountState,
  every: SETTINGS.snapshotEvery,
};
/** No snapshot has this state schema version, so loading with it replays the whole stream. */
export const WITHOUT_SNAPSHOTS: SnapshotPolicy<AccountState> = { ...WITH_SNAPSHOTS, schemaVersion: 9_999 };
export const APPEND_BATCH = 2_000; // 8 bound columns per event: 16,000 parameters, under the 65,535 limit

export const TARGET_HOT_OVER_RANDOM = 0.5;
export const TARGET_LOAD_RATIO = 1.5;
export const TARGET_STATEMENT_P95_MS = 10;
export const TARGET_REBUILD_EVENTS_PER_SECOND = 50_000;

/** Shares of the large data set's events in its long streams (the rest: accounts of 20-180 events). */
export const LONG_STREAM_SHARES = [0.2, 0.1, 0.05];
export const LARGE_BATCH = 5_000;
export const LARGE_END = "2026-11-01T00:00:00Z";
export const LARGE_SPAN_DAYS = 700;
/** What the portal (lib/dal/accounts.ts) and the API (default `limit`) ask for. */
export const STATEMENT_PAGE_SIZE = 25;
