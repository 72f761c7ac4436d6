import { z } from "zod";

import { defineEventCodec } from "../shared/codec";
import type { SanctionsEvent, SanctionsState } from "./sanctions";

export const sanctionsEventCodec = defineEventCodec<SanctionsEvent>({
  SanctionsEntryAdded: { version: 1, schema: z.object({ entryId: z.string(), name: z.string(), reason: z.string() }) },
  SanctionsEntryRemoved: { version: 1, schema: z.object({ entryId: z.string(), name: z.string(), reason: z.string() }) },
});

export const SANCTIONS_STATE_SCHEMA_VERSION = 1;
export const decodeSanctionsState = (json: unknown): SanctionsState => z.object({ entries: z.record(z.string(), z.string()) }).parse(json);
