import { expect, test } from "./support/test";

test("the home page of a production build says what Ledgerline is", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveTitle(/Ledgerline/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Banking you can audit");
  await expect(page.getByRole("heading", { name: "For customers" })).toBeVisible();
});

test("the health route answers", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.ok()).toBe(true);
  expect(await response.json()).toEqual({ status: "ok" });
});
