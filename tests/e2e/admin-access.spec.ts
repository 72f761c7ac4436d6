import { openAccount, signUp } from "./support/customer";
import { expect, test } from "./support/test";

const ADMIN_PAGES = [
  "/admin",
  "/admin?q=dana",
  "/admin/transfers",
  "/admin/approvals",
  "/admin/sanctions",
  "/admin/audit",
  "/admin/projections",
  "/admin/streams/sanctions",
];

test("a customer gets 'not found' from every back-office page and route, and learns nothing", async ({ page }) => {
  await signUp(page, "Nosy Customer");
  const accountId = await openAccount(page, "EUR", "Mine");
  const mine = [`/admin/accounts/${accountId}`, `/admin/accounts/${accountId}/history?position=1`, `/admin/streams/account-${accountId}`];
  for (const path of [...ADMIN_PAGES, ...mine]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Back office" })).toHaveCount(0);
  }
  const csv = await page.request.get("/admin/audit.csv", { maxRedirects: 0 });
  expect(csv.status()).toBe(404);
  expect(await csv.text()).not.toContain("Global position");
});

test("a signed-out visitor is sent to sign in from the back office", async ({ page }) => {
  for (const path of ["/admin", "/admin/audit", "/admin/transfers"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/sign-in\?next=%2Fadmin/);
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  }
  const csv = await page.request.get("/admin/audit.csv", { maxRedirects: 0 });
  expect([307, 401]).toContain(csv.status());
});
