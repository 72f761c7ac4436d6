import { expect } from "vitest";

import { advanceTransfer, type FaultPoint, type RunnerOptions } from "@/lib/process-managers/transfer-runner";

/** Runs a transfer as a runner that dies at `point`, and checks it died there (and not before). */
export async function crashAt(runner: RunnerOptions, transferId: string, point: FaultPoint): Promise<void> {
  const crash = new Error(`simulated crash ${point}`);
  const fault = (at: FaultPoint) => {
    if (at === point) throw crash;
  };
  await expect(advanceTransfer({ ...runner, fault }, transferId)).rejects.toBe(crash);
}
