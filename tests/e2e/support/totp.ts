import { mkdir, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { expect, type Page } from "@playwright/test";
import { generate } from "otplib";

/** The demo admin's published authenticator secret (README; lib/demo/seed.ts). */
export const DEMO_ADMIN_TOTP_SECRET = "LEDGERLINEDEMOADMINTOTPSECRET234";
/** The second demo admin's (four eyes needs two admins). */
export const DEMO_SECOND_ADMIN_TOTP_SECRET = "LEDGERLINESECONDADMINTOTPSECRET2";

/** The code an authenticator app shows for `secret`, `stepsAhead` 30-second steps from now. */
export function totpCode(secret: string, stepsAhead = 0): Promise<string> {
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + stepsAhead * 30 });
}

/**
 * Types a code into the sign-in form's code step. A code is accepted once (its time step is used
 * up), so when another test took this step's code for the same user, wait for the next one.
 */
export async function enterSignInCode(page: Page, secret: string): Promise<void> {
  for (let attempt = 0; attempt < 4; attempt++) {
    await page.getByLabel("Authentication code").fill(await totpCode(secret));
    // Judge by the answer to this submit: a refusal's message from an earlier try may still be on
    // the page while an accepted code's navigation is under way.
    const answered = page.waitForResponse(
      (response) => response.request().method() === "POST" && new URL(response.url()).pathname.startsWith("/sign-in"),
    );
    await page.getByRole("button", { name: "Verify" }).click();
    await answered;
    const signedIn = await page
      .waitForURL((url) => !url.pathname.startsWith("/sign-in"), { timeout: 15_000 })
      .then(
        () => true,
        () => false,
      );
    if (signedIn) return;
    await expect(page.getByText("That code is not right")).toBeVisible();
    await page.waitForTimeout(30_000 - (Date.now() % 30_000) + 500);
  }
  throw new Error("no authentication code was accepted");
}

/**
 * Runs `make` once for the whole suite (every worker): the first caller makes the value and keeps it
 * beside the suite's database, the others read it. The demo admin signs in once this way, because
 * each of its codes works once.
 */
export async function oncePerSuite<T>(name: string, make: () => Promise<T>): Promise<{ value: T; made: boolean }> {
  const dir = path.dirname(process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), "ledgerline-e2e-shared", "pglite"));
  const file = path.join(dir, `${name}.json`);
  await mkdir(dir, { recursive: true });
  try {
    await mkdir(path.join(dir, `${name}.lock`));
  } catch {
    await expect
      .poll(
        async () =>
          readFile(file, "utf8").then(
            () => true,
            () => false,
          ),
        { timeout: 120_000 },
      )
      .toBe(true);
    return { value: JSON.parse(await readFile(file, "utf8")) as T, made: false };
  }
  const value = await make();
  await writeFile(file, JSON.stringify(value));
  return { value, made: true };
}
