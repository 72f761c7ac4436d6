import type { Browser } from "@playwright/test";

import { seriousViolations } from "./support/admin";
import { API } from "./support/api";
import { signIn, signOut, signUp } from "./support/customer";
import { expect, test, type Page } from "./support/test";
import { totpCode } from "./support/totp";

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

test("a customer enrols an authenticator app, signs in with password and code, and a recovery code works once", async ({ page }) => {
  test.setTimeout(120_000);
  const customer = await signUp(page, "Tomas Totp");
  await page.goto("/settings/security");
  await expect(page.getByRole("heading", { level: 1, name: "Security" })).toBeVisible();
  const form = page.getByRole("form", { name: "Set up an authenticator app" });
  await expect(form.getByRole("img", { name: "QR code to scan with your authenticator app" })).toBeVisible();
  const secret = (await form.getByLabel("Setup key").innerText()).trim();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  expect(await seriousViolations(page)).toEqual([]);

  await form.getByLabel("Code from your app").fill("123456");
  await form.getByRole("button", { name: "Turn on" }).click();
  await expect(form.getByText("That code does not match")).toBeVisible();
  await form.getByLabel("Code from your app").fill(await totpCode(secret));
  await form.getByRole("button", { name: "Turn on" }).click();
  const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
  await expect(codes).toHaveCount(10);
  const recovery = (await codes.nth(0).innerText()).trim();
  await signOut(page);

  // The password alone is not enough any more: the form asks for the code.
  await signIn(page, customer.email, customer.password);
  await expect(page.getByLabel("Authentication code")).toBeVisible({ timeout: 20_000 });
  await page.getByLabel("Authentication code").fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByText("That code is not right")).toBeVisible();
  // The enrolment used this step's code; the app's next code is accepted (one step of clock drift).
  await page.getByLabel("Authentication code").fill(await totpCode(secret, 1));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
  await signOut(page);

  // A recovery code instead of the app: once.
  await signIn(page, customer.email, customer.password);
  await page.getByLabel("Authentication code").fill(recovery.toLowerCase());
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
  await signOut(page);
  await signIn(page, customer.email, customer.password);
  await page.getByLabel("Authentication code").fill(recovery);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByText("That code is not right")).toBeVisible();

  // Attack: the API's password-only token route does not get round the second factor.
  const noCode = await page.request.post(`${API}/auth/token`, { data: { email: customer.email, password: customer.password } });
  expect(noCode.status()).toBe(401);
  expect((await noCode.json()).code).toBe("SECOND_FACTOR_REQUIRED");
});

test("sessions in two browsers: one ends the other, whose next request is signed out; a copied cookie dies at sign-out", async ({ browser }) => {
  test.setTimeout(120_000);
  const laptop = await newPage(browser);
  const customer = await signUp(laptop, "Sasha Sessions");
  const phone = await newPage(browser);
  await signIn(phone, customer.email, customer.password);
  await expect(phone).toHaveURL(/\/dashboard$/, { timeout: 20_000 });

  await laptop.goto("/settings/sessions");
  const rows = laptop.getByRole("region", { name: "Your sessions" }).locator("tbody tr");
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: "(this device)" })).toHaveCount(1);
  expect(await seriousViolations(laptop)).toEqual([]);
  await rows
    .filter({ hasNotText: "(this device)" })
    .getByRole("button", { name: /^End session/ })
    .click();
  await expect(rows).toHaveCount(1);

  // The phone's cookie is still there, but its session is over.
  await phone.goto("/dashboard");
  await expect(phone).toHaveURL(/\/sign-in/);

  // Attack: a copy of the laptop's cookie in another browser works only until the laptop signs out.
  const thief = await newPage(browser);
  await thief.context().addCookies((await laptop.context().storageState()).cookies);
  await thief.goto("/dashboard");
  await expect(thief).toHaveURL(/\/dashboard$/);
  await laptop.goto("/dashboard");
  await signOut(laptop);
  await thief.goto("/dashboard");
  await expect(thief).toHaveURL(/\/sign-in/);
  const stale = await thief.request.get("/api/portal/transfers/00000000-0000-4000-8000-000000000000");
  expect(stale.status()).toBe(401);
});

test("sign out everywhere ends every session, the other browser's too", async ({ browser }) => {
  test.setTimeout(120_000);
  const first = await newPage(browser);
  const customer = await signUp(first, "Eve Everywhere");
  const second = await newPage(browser);
  await signIn(second, customer.email, customer.password);
  await expect(second).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
  await second.goto("/settings/sessions");
  await second.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(second).toHaveURL(/\/sign-in/);
  await first.goto("/settings/tokens");
  await expect(first).toHaveURL(/\/sign-in/);
});

test.describe("passkeys", () => {
  // WebAuthn refuses an IP address as the relying party's id: this journey uses the server by name.
  test.use({ baseURL: `http://localhost:${Number(process.env.E2E_PORT ?? 3123)}` });

  test("a customer adds a passkey in settings, then signs in with password and passkey, and with the passkey alone", async ({ page }) => {
    test.setTimeout(150_000);
    // Chromium's virtual authenticator (CDP): a platform passkey that keeps discoverable
    // credentials and verifies its user, touched automatically.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });

    const customer = await signUp(page, "Petra Passkey");
    await page.goto("/settings/security");
    const passkeys = page.getByRole("region", { name: "Passkeys" });
    await expect(passkeys.getByText("No passkeys yet.")).toBeVisible();
    const add = page.getByRole("form", { name: "Add a passkey" });
    await add.getByLabel("Name for the new passkey").fill("Work laptop");
    await add.getByRole("button", { name: "Add a passkey" }).click();
    await expect(add.getByText('Passkey "Work laptop" added')).toBeVisible({ timeout: 20_000 });
    const rows = page.getByRole("region", { name: "Your passkeys" }).locator("tbody tr");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText("Work laptop");
    await expect(rows.first()).toContainText("never");
    const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);

    // Renamed in place; the list shows the new name.
    await page.getByLabel("New name for Work laptop").fill("Laptop passkey");
    await page.getByRole("form", { name: "Rename passkey Work laptop" }).getByRole("button", { name: "Rename" }).click();
    await expect(rows.first()).toContainText("Laptop passkey");
    expect(await seriousViolations(page)).toEqual([]);
    await signOut(page);

    // The password alone is not enough now: the second step asks for the passkey.
    await signIn(page, customer.email, customer.password);
    const usePasskey = page.getByRole("button", { name: "Use a passkey" });
    await expect(usePasskey).toBeVisible({ timeout: 20_000 });
    await expect(page.getByLabel("Authentication code")).toHaveCount(0);
    await usePasskey.click();
    await expect(page).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
    await signOut(page);

    // The passkey alone, from the sign-in page: no email, no password.
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect(page).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
    await page.goto("/settings/security");
    await expect(rows.first()).not.toContainText("never");

    // The confirm page takes the passkey as a proof of identity too.
    await page.goto("/settings/confirm?next=/settings/security");
    await page.getByRole("button", { name: "Confirm with a passkey" }).click();
    await expect(page).toHaveURL(/\/settings\/security$/, { timeout: 20_000 });

    // Removed (within the fresh proof of identity); the password alone signs in again.
    await page.getByRole("form", { name: "Remove passkey Laptop passkey" }).getByRole("button", { name: "Remove" }).click();
    await expect(passkeys.getByText("No passkeys yet.")).toBeVisible();
    await signOut(page);
    await signIn(page, customer.email, customer.password);
    await expect(page).toHaveURL(/\/dashboard$/, { timeout: 20_000 });
  });
});
