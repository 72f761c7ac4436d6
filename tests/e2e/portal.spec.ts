import { readFile } from "node:fs/promises";

import { pdfText } from "../support/pdf-text";
import { balance, depositForm, moveMoney, openAccount, signUp, statementRows, withdrawForm } from "./support/customer";
import { expect, test } from "./support/test";

test("a new customer opens a EUR account, deposits, withdraws, is refused an overdraft, exports, searches and downloads the statement as PDF, and switches to German formats", async ({
  page,
}) => {
  await signUp(page, "Nora Quinn");
  await expect(page.getByText("You have no accounts yet.")).toBeVisible();
  await openAccount(page, "EUR", "Everyday");
  await expect(page.getByRole("status")).toContainText("Your account is open");

  await moveMoney(page, "deposit", "100.00", "Pocket money");
  await expect(depositForm(page).getByRole("status")).toHaveText("Deposited €100.00. New balance: €100.00.");
  await expect(balance(page)).toHaveText("€100.00");

  await moveMoney(page, "withdraw", "30.50", "Books");
  await expect(withdrawForm(page).getByRole("status")).toHaveText("Withdrew €30.50. New balance: €69.50.");
  await expect(balance(page)).toHaveText("€69.50");

  await moveMoney(page, "withdraw", "1,000.00");
  await expect(withdrawForm(page).getByRole("alert")).toHaveText(
    "Withdrawal refused: insufficient funds. You asked for €1,000.00 but only €69.50 is available.",
  );
  await expect(balance(page)).toHaveText("€69.50");
  await expect(page.getByTestId("available")).toHaveText("€69.50");

  const rows = await statementRows(page);
  expect(rows).toEqual([
    ["Withdrawal refused", "€1,000.00", "€69.50"],
    ["Withdrawal", "-€30.50", "€69.50"],
    ["Deposit", "+€100.00", "€100.00"],
  ]);

  const downloadPromise = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download CSV" }).click();
  const download = await downloadPromise;
  const csv = (await readFile((await download.path())!, "utf8")).trim().split("\r\n");
  expect(csv[0]).toBe("Date (UTC),Type,Outcome,Amount,Balance after,Currency,Reference,Refusal reason,Counterparty,Local date (UTC)");
  // Machine formats whatever the locale: decimals with a point, the local day as YYYY-MM-DD last.
  expect(csv.slice(1).map((line) => line.split(",").slice(1, 9))).toEqual([
    ["Withdrawal", "rejected", "1000.00", "69.50", "EUR", "", "insufficient funds", ""],
    ["Withdrawal", "posted", "-30.50", "69.50", "EUR", "Books", "", ""],
    ["Deposit", "posted", "100.00", "100.00", "EUR", "Pocket money", "", ""],
  ]);
  for (const line of csv.slice(1)) expect(line.split(",").at(-1)).toMatch(/^\d{4}-\d{2}-\d{2}$/);

  // Search: by a word of the reference, then by amount; the search is in the URL, so it can be shared.
  const search = page.getByRole("form", { name: "Search the statement" });
  await search.getByLabel("Search").fill("pock");
  await search.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/[?&]q=pock/);
  expect(await statementRows(page)).toEqual([["Deposit", "+€100.00", "€100.00"]]);
  await page.goto(`${new URL(page.url()).pathname}?min=30&max=31`);
  expect(await statementRows(page)).toEqual([["Withdrawal", "-€30.50", "€69.50"]]);
  await search.getByLabel("Amount from (EUR)").fill("lots");
  await search.getByRole("button", { name: "Search" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "The search could not be run" })).toContainText("Enter an amount as a number");
  await expect(search.getByLabel("Amount from (EUR)")).toHaveAttribute("aria-invalid", "true");
  await search.getByRole("link", { name: "Clear" }).click();

  // The month's PDF: its header, and the closing balance the page shows.
  const pdfPromise = page.waitForEvent("download");
  await page.getByRole("form", { name: "Download a monthly statement" }).getByRole("button", { name: "Download PDF" }).click();
  const pdf = await readFile((await (await pdfPromise).path())!);
  expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  const pdfLines = (await pdfText(new Uint8Array(pdf))).split("\n");
  expect(pdfLines[pdfLines.indexOf("Closing balance") + 1]).toBe(await balance(page).innerText());
  expect(pdfLines).toContain("Movements (2)");

  // Language and time zone in the profile: amounts and dates follow at once, the statement's too.
  const accountUrl = page.url();
  await page.getByRole("link", { name: "Profile" }).click();
  await page.getByLabel("Format dates and amounts as").selectOption("de-DE");
  await page.getByLabel("Time zone").selectOption("Europe/Berlin");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toContainText("Saved");
  await page.goto(accountUrl);
  await expect(balance(page)).toHaveText(/^69,50\s€$/);
  expect((await statementRows(page)).map((row) => row[1]!.replace(/\s/g, " "))).toEqual(["1.000,00 €", "-30,50 €", "+100,00 €"]);
  await expect(page.getByRole("columnheader", { name: "Date (Europe/Berlin)" })).toBeVisible();
  const firstDate = await page.getByRole("region", { name: "Statement", exact: true }).getByRole("row").nth(1).getByRole("cell").first().innerText();
  expect(firstDate).toMatch(/^\d{1,2}\. \S+ \d{4}/);

  // The dashboard agrees, with totals per currency.
  await page.getByRole("link", { name: "Accounts", exact: true }).click();
  await expect(page.getByText("Total in EUR")).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: "Everyday" })).toContainText(/69,50\s€/);
});

test("a double-clicked deposit and a resent deposit form each have one effect", async ({ page }) => {
  await signUp(page);
  await openAccount(page, "GBP", "Double");
  const form = depositForm(page);
  await form.getByLabel(/Amount/).fill("10.00");
  await form.getByRole("button", { name: "Deposit" }).dblclick();
  await expect(form.getByRole("status")).toContainText("Deposited £10.00");
  await expect(balance(page)).toHaveText("£10.00");

  // Resend one form (same command id) twice, as a flaky network or a browser retry would.
  await form.getByLabel(/Amount/).fill("5.00");
  await form.evaluate((element: HTMLFormElement) => {
    element.requestSubmit();
    element.requestSubmit();
  });
  await expect(form.getByRole("status")).toContainText("Deposited £5.00");
  await page.reload();
  await expect(balance(page)).toHaveText("£15.00");
  expect((await statementRows(page)).map((row) => row[1])).toEqual(["+£5.00", "+£10.00"]);
});

test("invalid amounts get a message next to the field and change nothing", async ({ page }) => {
  await signUp(page);
  await openAccount(page, "EUR", "Checks");
  const form = depositForm(page);
  const amount = form.getByLabel(/Amount/);
  const cases: [string, RegExp][] = [
    ["", /Enter an amount/],
    ["0", /greater than zero/],
    ["-5", /as a number/],
    ["1.234", /at most 2 decimal places/],
    ["abc", /as a number/],
    ["1e9999", /as a number/],
  ];
  for (const [input, message] of cases) {
    await amount.fill(input);
    await form.getByRole("button", { name: "Deposit" }).click();
    await expect(amount).toHaveAttribute("aria-invalid", "true");
    const errorId = (await amount.getAttribute("aria-describedby"))?.split(" ").find((id) => id.endsWith("-error"));
    await expect(page.locator(`#${errorId}`)).toHaveText(message);
  }
  await expect(balance(page)).toHaveText("€0.00");
  await expect(page.getByText("No movements match.")).toBeVisible();
});

test("statement filters by type and date", async ({ page }) => {
  await signUp(page);
  await openAccount(page, "USD", "Filters");
  await moveMoney(page, "deposit", "50");
  await expect(balance(page)).toHaveText("US$50.00");
  await moveMoney(page, "withdraw", "80");
  await expect(withdrawForm(page).getByRole("alert")).toBeVisible();
  await moveMoney(page, "withdraw", "20");
  await expect(balance(page)).toHaveText("US$30.00");

  await page.getByLabel("Type", { exact: true }).selectOption("rejected");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).toHaveURL(/type=rejected/);
  expect((await statementRows(page)).map((row) => row[0])).toEqual(["Withdrawal refused"]);

  await page.getByLabel("Type", { exact: true }).selectOption("all");
  await page.getByLabel("From", { exact: true }).fill("2001-01-01");
  await page.getByLabel("To", { exact: true }).fill("2001-12-31");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByText("No movements match.")).toBeVisible();
});
