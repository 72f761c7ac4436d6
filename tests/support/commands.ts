import { randomUUID } from "node:crypto";

import type { CommandContext } from "@/lib/commands/accounts";
import type { Database } from "@/lib/db/client";
import type { CommandMetadata } from "@/lib/domain/shared/decider";

export const customer = { id: "customer-1", role: "customer" as const };
export const admin = { id: "admin-1", role: "admin" as const };

export function meta(overrides: Partial<CommandMetadata> = {}): CommandMetadata {
  return { now: new Date(), actor: customer, origin: "test", ...overrides };
}

export function context(db: Database, overrides: Partial<Omit<CommandContext, "db">> = {}): CommandContext {
  return { db, snapshotEvery: 100, maxAmount: 100_000_000n, ...overrides };
}

export const newCommandId = () => randomUUID();
