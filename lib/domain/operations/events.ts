import { z } from "zod";

import { defineEventCodec } from "../shared/codec";
import type { Message } from "../shared/decider";

/** Operator actions on the read models, kept as facts so the audit trail shows who ran them and what they found. */
export type ProjectionsVerified = Message<"ProjectionsVerified", { events: number; differences: number }>;
export type ProjectionsRebuilt = Message<"ProjectionsRebuilt", { events: number; rows: Record<string, number> }>;
export type OperationsEvent = ProjectionsVerified | ProjectionsRebuilt;

export const OPERATIONS_STREAM_ID = "operations";
export const OPERATIONS_STREAM_TYPE = "operations";

export const operationsEventCodec = defineEventCodec<OperationsEvent>({
  ProjectionsVerified: { version: 1, schema: z.object({ events: z.number().int(), differences: z.number().int() }) },
  ProjectionsRebuilt: { version: 1, schema: z.object({ events: z.number().int(), rows: z.record(z.string(), z.number().int()) }) },
});
