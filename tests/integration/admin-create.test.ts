import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import { verifyCredentials } from "@/lib/auth/users";
import { openDatabase } from "@/lib/db/client";
import { auditLog, users } from "@/lib/db/schema";

const root = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "ledgerline-admin-create-"));
const dataDir = path.join(dir, "pglite");

/** Runs the CLI as `npm run admin:create` would, on a fresh embedded database, feeding `stdin`. */
function adminCreate(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/admin-create.ts", ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: "", PGLITE_DATA_DIR: dataDir },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += String(chunk)));
    child.stderr.on("data", (chunk) => (stderr += String(chunk)));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm run admin:create", () => {
  it("creates an admin from --email and --name with the password read from stdin, audited as a CLI action", async () => {
    const result = await adminCreate(["--email", "Olga.Ops@Example.com", "--name", "Olga Ops"], "a long operator passphrase\nignored second line\n");
    expect(result.stderr).not.toContain("a long operator passphrase");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Created admin Olga Ops <olga.ops@example.com>");

    const handle = await openDatabase({ kind: "pglite", dataDir });
    try {
      const [row] = await handle.db.select().from(users).where(eq(users.email, "olga.ops@example.com"));
      expect(row).toMatchObject({ name: "Olga Ops", role: "admin" });
      expect(row!.passwordHash).not.toContain("passphrase");
      expect(await verifyCredentials(handle.db, { email: "olga.ops@example.com", password: "a long operator passphrase" }, null)).toMatchObject({
        ok: true,
        user: { role: "admin" },
      });
      const [audit] = await handle.db.select().from(auditLog).where(eq(auditLog.customerId, row!.id));
      expect(audit).toMatchObject({ eventType: "UserRegistered", actorRole: "system", actorId: expect.stringMatching(/^cli:/) });
    } finally {
      await handle.close();
    }
  });

  it("refuses a password on the command line, a weak password and a taken email, creating nobody", async () => {
    const onArgv = await adminCreate(["--email", "x@example.com", "--name", "X", "--password", "a long operator passphrase"], "");
    expect(onArgv.code).toBe(2);
    expect(onArgv.stderr).toContain("never taken from the command line");
    const missing = await adminCreate(["--email", "y@example.com"], "a long operator passphrase\n");
    expect(missing.code).toBe(2);
    const weak = await adminCreate(["--email", "z@example.com", "--name", "Zed"], "short\n");
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain("password: Use at least 10 characters.");
    const taken = await adminCreate(["--email", "olga.ops@example.com", "--name", "Olga Again"], "another long passphrase\n");
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain("already exists");

    const handle = await openDatabase({ kind: "pglite", dataDir });
    try {
      const emails = (await handle.db.select({ email: users.email }).from(users)).map((row) => row.email);
      expect(emails).toEqual(["olga.ops@example.com"]);
    } finally {
      await handle.close();
    }
  });
});
