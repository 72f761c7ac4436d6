import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { storeProtection } from "@/lib/db/roles";

import { createSplitRoleDatabase, TEST_APP_ROLE } from "../support/databases";

// How a server and `npm run db:migrate` treat the two URLs (decision 0023), on real Postgres only.
// In a file of its own: these tests set the configuration.
describe.each(process.env.DATABASE_URL ? [process.env.DATABASE_URL] : [])("starting with a restricted app role", (adminUrl) => {
  let created: Awaited<ReturnType<typeof createSplitRoleDatabase>>;
  // The configuration is read once per module instance: each test loads a fresh one.
  const freshConnect = async () => {
    vi.resetModules();
    return import("@/lib/db/connect");
  };

  beforeAll(async () => {
    created = await createSplitRoleDatabase(adminUrl, "ll_roles_start");
  }, 60_000);
  afterAll(async () => {
    vi.unstubAllEnvs();
    await created?.drop();
  });

  it("without DATABASE_OWNER_URL: the server starts without migrating and says why; db:migrate refuses, naming the fix", async () => {
    vi.stubEnv("DATABASE_URL", created.appUrl);
    vi.stubEnv("DATABASE_OWNER_URL", "");
    const { connectFromEnv } = await freshConnect();
    const lines: string[] = [];
    const handle = await connectFromEnv({ log: (line) => lines.push(line) });
    try {
      expect(await storeProtection(handle.db)).toMatchObject({ protected: true, role: TEST_APP_ROLE.name });
    } finally {
      await handle.close();
    }
    expect(lines.join("\n")).toMatch(/does not own the event store.*DATABASE_OWNER_URL.*Migrations are not applied at start/);
    await expect(connectFromEnv({ migrate: true, log: () => {} })).rejects.toThrow(/set DATABASE_OWNER_URL/);
  });

  it("with DATABASE_OWNER_URL: migrations and grants run as the owner, the app connects as its role", async () => {
    vi.stubEnv("DATABASE_URL", created.appUrl);
    vi.stubEnv("DATABASE_OWNER_URL", created.ownerUrl);
    const { connectFromEnv } = await freshConnect();
    const lines: string[] = [];
    const handle = await connectFromEnv({ migrate: true, log: (line) => lines.push(line) });
    try {
      expect(await storeProtection(handle.db)).toEqual({ protected: true, role: TEST_APP_ROLE.name, storeExists: true });
    } finally {
      await handle.close();
    }
    expect(lines).toEqual([]);
  });
});
