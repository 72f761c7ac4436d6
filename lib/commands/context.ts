import "server-only";

import { database } from "../db";
import { env } from "../env";
import type { CommandContext } from "./accounts";

export async function commandContext(): Promise<CommandContext> {
  const { db } = await database();
  const config = env();
  return {
    db,
    snapshotEvery: config.SNAPSHOT_EVERY,
    maxAmount: config.MAX_COMMAND_AMOUNT,
    maxTransferAmount: config.MAX_TRANSFER_AMOUNT,
    approvalThreshold: config.APPROVAL_THRESHOLD_MINOR,
  };
}
