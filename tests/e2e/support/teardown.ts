import { rm } from "node:fs/promises";
import path from "node:path";

/** Removes the suite's embedded database (and its generated AUTH_SECRET beside it). */
export default async function teardown() {
  const dataDir = process.env.E2E_DATA_DIR;
  if (dataDir && path.basename(path.dirname(dataDir)).startsWith("ledgerline-e2e-")) {
    await rm(path.dirname(dataDir), { recursive: true, force: true });
  }
}
