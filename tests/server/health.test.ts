import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startServer, tempDataDir, type RunningServer } from "./support/server";

describe("next start on the embedded database", () => {
  const data = tempDataDir();
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env: { PGLITE_DATA_DIR: data.dir, AUTH_SECRET: "server-test-secret-0123456789abcdef" } });
  });
  afterAll(async () => {
    await server?.stop();
    data.remove();
  });

  it("answers /api/health and serves the sign-in page", async () => {
    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(200);
    const signIn = await fetch(`${server.url}/sign-in`);
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain("Sign in");
  });
});
