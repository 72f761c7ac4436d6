import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { prepareStandalone } from "../../scripts/standalone-prepare.mjs";
import { createPostgresDatabase, TEST_APP_ROLE, withUser } from "../support/databases";
import { startServer, tempDataDir, type RunningServer } from "./support/server";

/**
 * The Docker image's server, without Docker: the standalone folder completed by the same script the
 * Dockerfile runs, then copied out of the repository (as the image copies it to /app), so nothing
 * can be found by walking up into the project's full node_modules.
 */
const AUTH_SECRET = "standalone-test-secret-0123456789abcdef";
const journal = JSON.parse(readFileSync(path.join(process.cwd(), "drizzle/meta/_journal.json"), "utf8")) as { entries: unknown[] };

let image: { serverDir: string; remove: () => void };

beforeAll(() => {
  const built = prepareStandalone(process.cwd());
  const standaloneRoot = path.join(process.cwd(), ".next/standalone");
  const root = mkdtempSync(path.join(os.tmpdir(), "ledgerline-image-"));
  // Keep relative symlinks relative (a worktree's standalone output links node_modules within itself).
  cpSync(standaloneRoot, root, { recursive: true, verbatimSymlinks: true });
  image = { serverDir: path.join(root, path.relative(standaloneRoot, built)), remove: () => rmSync(root, { recursive: true, force: true }) };
});
afterAll(() => image?.remove());

async function expectServesThePortal(server: RunningServer) {
  const signIn = await fetch(`${server.url}/sign-in`);
  expect(signIn.status).toBe(200);
  const html = await signIn.text();
  expect(html).toContain("Sign in");

  const health = await fetch(`${server.url}/api/health`);
  expect(health.status).toBe(200);

  // Ready: database reachable, every migration applied, projections caught up.
  const ready = await fetch(`${server.url}/api/ready`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ status: "ready" });

  // The page's own scripts and styles come from .next/static, which Next leaves out of standalone.
  const assets = [...new Set(html.match(/\/_next\/static\/[^"'\s)\\]+/g) ?? [])];
  expect(assets.length).toBeGreaterThan(0);
  for (const asset of assets.slice(0, 5)) {
    const response = await fetch(server.url + asset);
    expect(response.status, asset).toBe(200);
  }

  expect(healthcheck(server.port)).toBe(0);
}

/** The image's HEALTHCHECK command, run as Docker runs it inside the container; its exit code. */
function healthcheck(port: number): number | null {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? "", PORT: String(port), NODE_ENV: "production" };
  return spawnSync(process.execPath, ["healthcheck.mjs"], { cwd: image.serverDir, env }).status;
}

describe("the standalone server on the embedded database", () => {
  const data = tempDataDir();
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ mode: "standalone", serverDir: image.serverDir, env: { PGLITE_DATA_DIR: data.dir, AUTH_SECRET } });
  });
  afterAll(async () => {
    await server?.stop();
    data.remove();
  });

  it("serves the sign-in page, its static assets, /api/health and a ready /api/ready, with PGlite's files found", async () => {
    await expectServesThePortal(server);
    // PGlite (WASM, loaded from the traced node_modules) created its database where it was told.
    expect(existsSync(path.join(data.dir, "PG_VERSION"))).toBe(true);
    expect(server.output()).toMatch(/"database":"PGlite at [^"]+".*"msg":"database ready"/);
  });

  it("its health check fails once the server is gone", async () => {
    await server.stop();
    expect(healthcheck(server.port)).toBe(1);
  });
});

// Real Postgres only: DATABASE_URL is the admin URL a fresh database is made from.
describe.each(process.env.DATABASE_URL ? [process.env.DATABASE_URL] : [])("the standalone server on a fresh Postgres database", (adminUrl) => {
  let database: { url: string; drop: () => Promise<void> };
  let server: RunningServer;
  beforeAll(async () => {
    database = await createPostgresDatabase(adminUrl, "ll_deploy");
    server = await startServer({ mode: "standalone", serverDir: image.serverDir, env: { DATABASE_URL: database.url, AUTH_SECRET } });
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("applies the migrations from its own drizzle folder at start, then serves and reports ready", async () => {
    await expectServesThePortal(server);
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      const [applied] = await sql<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
      expect(applied?.n).toBe(journal.entries.length);
    } finally {
      await sql.end();
    }
    expect(readdirSync(path.join(image.serverDir, "drizzle")).filter((file) => file.endsWith(".sql"))).toHaveLength(journal.entries.length);
  });

  it("warns at start that the event store is not protected from its own role (one role for everything)", () => {
    expect(server.output()).toMatch(/the event store is not protected from the app's own database role/);
  });
});

// Decision 0023: the image given both URLs migrates as the owner and serves as the restricted role.
describe.each(process.env.DATABASE_URL ? [process.env.DATABASE_URL] : [])("the standalone server with an owner and an app role", (adminUrl) => {
  let database: { url: string; drop: () => Promise<void> };
  let server: RunningServer;
  beforeAll(async () => {
    database = await createPostgresDatabase(adminUrl, "ll_deploy_roles");
    server = await startServer({
      mode: "standalone",
      serverDir: image.serverDir,
      env: { DATABASE_OWNER_URL: database.url, DATABASE_URL: withUser(database.url, TEST_APP_ROLE), AUTH_SECRET },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("migrates as the owner, serves as the app role without the warning, and that role cannot delete events", async () => {
    await expectServesThePortal(server);
    expect(server.output()).toContain("the app's database role can only read and append events");
    expect(server.output()).not.toMatch(/not protected/);
    const app = postgres(withUser(database.url, TEST_APP_ROLE), { max: 1, onnotice: () => {} });
    try {
      await expect(app.unsafe("delete from events")).rejects.toMatchObject({ code: "42501" });
    } finally {
      await app.end();
    }
  });
});
