import { readFile } from "node:fs/promises";

import {
  auditRows,
  DEMO_ADMIN,
  DEMO_SECOND_ADMIN,
  findAccountAsAdmin,
  numberOfAccount,
  separatePage,
  signInAsAdmin,
  signInAsSecondAdmin,
  transferTo,
} from "./support/admin";
import { balance, depositForm, moveMoney, openAccount, signUp } from "./support/customer";
import { expect, test } from "./support/test";

test("an admin freezes an account with a reason; the customer is refused; the audit trail shows both; a second admin approves the unfreeze and money comes in again", async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const customer = await separatePage(browser);
  const admin = await separatePage(browser);

  await signUp(customer, "Frida Frost");
  const accountId = await openAccount(customer, "EUR", "Everyday");
  await moveMoney(customer, "deposit", "50.00");
  await expect(balance(customer)).toHaveText("€50.00");
  const number = await numberOfAccount(customer, accountId);

  // The admin finds the account and freezes it; the reason is mandatory.
  await signInAsAdmin(admin);
  await findAccountAsAdmin(admin, number);
  const freeze = admin.getByRole("form", { name: "Freeze account" });
  await freeze.getByLabel("Category").selectOption({ label: "Suspected fraud" });
  await freeze.getByRole("button", { name: "Freeze account" }).click();
  await expect(freeze.getByText("Reason is required.")).toBeVisible();
  await freeze.getByLabel("Reason").fill("Card reported stolen by phone, ticket 4711");
  await freeze.getByRole("button", { name: "Freeze account" }).click();
  await expect(admin.getByRole("status")).toContainText("Account frozen (Suspected fraud)");
  await expect(admin.getByTestId("admin-status")).toHaveText("Frozen: Suspected fraud");
  await expect(admin.getByTestId("freeze-reason")).toHaveText("Card reported stolen by phone, ticket 4711");
  await expect(admin.getByRole("form", { name: "Unfreeze account" })).toBeVisible();

  // The customer sees the freeze and its category (not the admin's note), and a deposit is refused.
  await customer.goto(`/accounts/${accountId}`);
  await expect(customer.getByText("This account is frozen (Suspected fraud)")).toBeVisible();
  await expect(customer.getByText("ticket 4711")).toHaveCount(0);
  await moveMoney(customer, "deposit", "5.00");
  await expect(depositForm(customer).getByRole("alert")).toHaveText("Deposit of €5.00 refused: the account is frozen.");
  await expect(balance(customer)).toHaveText("€50.00");

  // The audit trail, filtered to the account, shows the freeze (who, why) and the refused deposit.
  await admin.goto("/admin/audit");
  await admin.getByLabel("Account (id or number)").fill(number);
  await admin.getByRole("button", { name: "Apply" }).click();
  await expect(admin).toHaveURL(/account=/);
  const freezeRow = auditRows(admin).filter({ hasText: "Froze account (suspected fraud)" });
  await expect(freezeRow).toHaveCount(1);
  await expect(freezeRow).toContainText(DEMO_ADMIN.email);
  await expect(freezeRow).toContainText("Card reported stolen by phone, ticket 4711");
  await expect(freezeRow).toContainText("Status: Active → Frozen");
  const refusedRow = auditRows(admin).filter({ hasText: "Refused deposit of 5.00 EUR: ACCOUNT_FROZEN" });
  await expect(refusedRow).toHaveCount(1);
  await expect(refusedRow).toContainText("Refused");

  // Each audit entry links to its stored event in the inspector.
  await freezeRow.getByRole("link", { name: /Stored event/ }).click();
  await expect(admin.getByRole("heading", { name: "Event inspector" })).toBeVisible();
  const stored = admin.getByRole("article").filter({ hasText: "AccountFrozen" });
  await expect(stored.locator("pre").first()).toContainText('"reason": "Card reported stolen by phone, ticket 4711"');
  await expect(stored.getByRole("row", { name: /transaction_id/ })).toContainText(/\d+/);

  // The admin unfreezes (with a reason): a fraud freeze needs a second admin, so it waits for one.
  await admin.goto(`/admin/accounts/${accountId}`);
  const unfreeze = admin.getByRole("form", { name: "Unfreeze account" });
  await unfreeze.getByLabel("Reason").fill("Customer confirmed the card was found");
  await unfreeze.getByRole("button", { name: "Unfreeze account" }).click();
  await expect(admin.getByRole("status")).toContainText("awaits approval by a second admin");
  await admin.reload();
  await expect(admin.getByTestId("admin-status")).toHaveText("Frozen: Suspected fraud");
  await expect(admin.getByTestId("awaiting-approval")).toContainText(`Unfreeze awaiting approval by a second admin (asked by ${DEMO_ADMIN.email}`);

  // The same admin cannot approve their own request: refused, and the attempt is in the audit trail.
  await admin.getByRole("navigation", { name: "Back office" }).getByRole("link", { name: "Approvals" }).click();
  const card = admin.locator("article").filter({ hasText: number });
  await expect(card).toContainText("Lift a fraud freeze");
  await expect(card).toContainText("Customer confirmed the card was found");
  await expect(card).toContainText("You asked for this");
  await card.getByLabel("Reason").fill("Approving my own");
  await card.getByRole("button", { name: "Approve" }).click();
  await expect(admin.getByRole("alert").filter({ hasText: "another admin must" })).toBeVisible();
  await admin.reload();
  await expect(admin.locator("article").filter({ hasText: number })).toBeVisible();

  // A second admin approves: the unfreeze is done at once, as the second admin.
  const second = await separatePage(browser);
  await signInAsSecondAdmin(second);
  await second.goto("/admin/approvals");
  const pending = second.locator("article").filter({ hasText: number });
  await pending.getByRole("button", { name: "Approve" }).click();
  await expect(pending.getByText("Reason is required.")).toBeVisible();
  await pending.getByLabel("Reason").fill("Called the customer back on the number on file");
  await pending.getByRole("button", { name: "Approve" }).click();
  await expect(second.getByRole("status")).toContainText("Approved: Unfreeze account");
  await expect(second.locator("article").filter({ hasText: number })).toHaveCount(0);
  await second.goto(`/admin/accounts/${accountId}`);
  await expect(second.getByTestId("admin-status")).toHaveText("Active");
  await expect(second.getByTestId("awaiting-approval")).toHaveCount(0);

  // The audit trail has the request, the refused attempt, the grant and the unfreeze, with who did each.
  await second.goto("/admin/audit");
  await second.getByLabel("Account (id or number)").fill(number);
  await second.getByRole("button", { name: "Apply" }).click();
  await expect(second).toHaveURL(/account=/);
  await expect(auditRows(second).filter({ hasText: "Second admin's approval requested" })).toContainText(DEMO_ADMIN.email);
  await expect(auditRows(second).filter({ hasText: "Refused approve" })).toContainText("Approving my own");
  await expect(auditRows(second).filter({ hasText: "Approved by a second admin" })).toContainText(DEMO_SECOND_ADMIN.email);
  await expect(auditRows(second).filter({ hasText: "Unfroze account" })).toContainText(DEMO_SECOND_ADMIN.email);

  await customer.goto(`/accounts/${accountId}`);
  await expect(customer.getByText("This account is frozen")).toHaveCount(0);
  await moveMoney(customer, "deposit", "5.00");
  await expect(depositForm(customer).getByRole("status")).toHaveText("Deposited €5.00. New balance: €55.00.");
});

test("a held transfer waits in the queue with why it was held; release completes it, reject fails it and nothing moves", async ({ browser }) => {
  test.setTimeout(120_000);
  const payer = await separatePage(browser);
  const payee = await separatePage(browser);
  const admin = await separatePage(browser);

  await signUp(payee, "Hugo Held");
  const payeeAccount = await openAccount(payee, "EUR", "Takings");
  const payeeNumber = await numberOfAccount(payee, payeeAccount);
  await signUp(payer, "Paula Payer");
  const payerAccount = await openAccount(payer, "EUR", "Current");
  await moveMoney(payer, "deposit", "100.00");
  await expect(balance(payer)).toHaveText("€100.00");

  const first = await transferTo(payer, { toNumber: payeeNumber, amount: "12.00", reference: "Globex Illicit Trading invoice 1" });
  await expect(payer.getByTestId("transfer-status")).toHaveText("Under review");
  const second = await transferTo(payer, { toNumber: payeeNumber, amount: "7.00", reference: "Globex Illicit Trading invoice 2" });
  await expect(payer.getByTestId("transfer-status")).toHaveText("Under review");

  await signInAsAdmin(admin);
  await admin.goto("/admin/transfers");
  const held = admin.locator(`article[data-transfer-id="${first}"]`);
  await expect(held.getByRole("heading")).toHaveText("€12.00 from Paula Payer to Hugo Held");
  await expect(held).toContainText("Payee or reference matches the sanctions list: Globex Illicit Trading");
  await expect(held).toContainText("Globex Illicit Trading invoice 1");
  await expect(admin.locator(`article[data-transfer-id="${second}"]`)).toBeVisible();

  // A decision needs a reason.
  await held.getByRole("button", { name: "Release" }).click();
  await expect(held.getByText("Reason is required.")).toBeVisible();
  await held.getByLabel("Reason").fill("Invoice checked with the supplier");
  await held.getByRole("button", { name: "Release" }).click();
  await expect(admin.getByRole("status")).toContainText("Released the transfer of €12.00 from Paula Payer to Hugo Held. It completed.");
  await expect(admin.locator(`article[data-transfer-id="${first}"]`)).toHaveCount(0);

  const rejected = admin.locator(`article[data-transfer-id="${second}"]`);
  await rejected.getByLabel("Reason").fill("Payee matches a sanctioned party");
  await rejected.getByRole("button", { name: "Reject" }).click();
  await expect(admin.getByRole("status")).toContainText("Rejected the transfer of €7.00");
  await expect(admin.locator(`article[data-transfer-id="${second}"]`)).toHaveCount(0);

  // The customers' pages: the released one completed and moved 12.00; the rejected one failed and moved nothing.
  await payer.goto(`/transfers/${first}`);
  await expect(payer.getByTestId("transfer-status")).toHaveText("Completed");
  await payer.goto(`/transfers/${second}`);
  await expect(payer.getByTestId("transfer-status")).toHaveText("Failed");
  await payer.goto(`/accounts/${payerAccount}`);
  await expect(balance(payer)).toHaveText("€88.00");
  await expect(payer.getByTestId("reserved")).toHaveText("€0.00");
  await expect(payer.getByTestId("available")).toHaveText("€88.00");
  await payee.goto(`/accounts/${payeeAccount}`);
  await expect(balance(payee)).toHaveText("€12.00");
  await expect(payee.getByTestId("reserved")).toHaveText("€0.00");
});

test("time travel shows the account's balance at chosen positions of its history", async ({ browser }) => {
  test.setTimeout(90_000);
  const customer = await separatePage(browser);
  const admin = await separatePage(browser);
  await signUp(customer, "Tim Traveller");
  const accountId = await openAccount(customer, "EUR", "Past");
  await moveMoney(customer, "deposit", "100.00");
  await expect(balance(customer)).toHaveText("€100.00");
  await moveMoney(customer, "withdraw", "30.50");
  await expect(balance(customer)).toHaveText("€69.50");
  await moveMoney(customer, "deposit", "5.00");
  await expect(balance(customer)).toHaveText("€74.50");

  await signInAsAdmin(admin);
  await admin.goto(`/admin/accounts/${accountId}`);
  await admin.getByRole("link", { name: "Time travel" }).click();
  await expect(admin.getByRole("heading", { name: "As of position 4" })).toBeVisible();
  await expect(admin.getByTestId("history-balance")).toHaveText("€74.50");

  const expected: [number, string][] = [
    [2, "€100.00"],
    [3, "€69.50"],
    [4, "€74.50"],
  ];
  for (const [position, amount] of expected) {
    await admin
      .getByRole("list", { name: "Account events" })
      .getByRole("link", { name: new RegExp(`^#${position} `) })
      .click();
    await expect(admin.getByRole("heading", { name: `As of position ${position}` })).toBeVisible();
    await expect(admin.getByTestId("history-balance")).toHaveText(amount);
    await expect(admin.getByTestId("history-status")).toHaveText("Active");
  }
  await admin.goto(`/admin/accounts/${accountId}/history?position=0`);
  await expect(admin.getByTestId("history-unopened")).toBeVisible();
});

test("the audit CSV for a filter holds exactly the rows the page shows for it", async ({ browser }) => {
  test.setTimeout(90_000);
  const customer = await separatePage(browser);
  const admin = await separatePage(browser);
  const { email } = await signUp(customer, "Carla Csv");
  await openAccount(customer, "EUR", "Exported");
  await moveMoney(customer, "deposit", "10.00", "=SUM(A1:A9)");
  await expect(balance(customer)).toHaveText("€10.00");
  await moveMoney(customer, "withdraw", "99.00");
  await expect(depositForm(customer)).toBeVisible();

  await signInAsAdmin(admin);
  await admin.goto("/admin/audit");
  await admin.getByLabel("Customer (id or email)").fill(email);
  await admin.getByRole("button", { name: "Apply" }).click();
  await expect(admin).toHaveURL(/customer=/);
  await expect(auditRows(admin)).toHaveCount(5); // registered, session started, opened, deposited, withdrawal refused
  const shown = await auditRows(admin).evaluateAll((rows) => rows.map((row) => row.getAttribute("data-position")));

  const download = admin.waitForEvent("download");
  await admin.getByRole("link", { name: "Download CSV" }).click();
  const lines = (await readFile((await (await download).path())!, "utf8")).trimEnd().split("\r\n");
  expect(lines[0]).toMatch(/^Global position,Recorded at \(UTC\),Actor id,Actor email/);
  expect(lines.slice(1).map((line) => line.split(",")[0])).toEqual(shown);
  // A reference that looks like a formula is neutralised in the export.
  expect(lines.find((line) => line.includes("MoneyDeposited"))).toContain("'=SUM(A1:A9)");

  // Narrowing the filter narrows both the same way.
  await admin.getByLabel("Outcome").selectOption("rejected");
  await admin.getByRole("button", { name: "Apply" }).click();
  await expect(auditRows(admin)).toHaveCount(1);
  const response = await admin.request.get(`/admin/audit.csv${new URL(admin.url()).search}`);
  const narrowed = (await response.text()).trimEnd().split("\r\n");
  expect(narrowed.slice(1).map((line) => line.split(",")[0])).toEqual([await auditRows(admin).first().getAttribute("data-position")]);
});

test("an admin keeps the sanctions list with reasons and sees its history; projections verify and rebuild", async ({ page }) => {
  test.setTimeout(90_000);
  const name = `Test Shell Company ${Date.now()}`;
  await signInAsAdmin(page);
  await page.goto("/admin/sanctions");
  await expect(page.getByRole("heading", { name: "Globex Illicit Trading" })).toBeVisible();
  const add = page.getByRole("form", { name: "Add a name" });
  await add.getByLabel("Name").fill(name);
  await add.getByRole("button", { name: "Add to list" }).click();
  await expect(add.getByText("Reason is required.")).toBeVisible();
  await add.getByLabel("Reason").fill("Regulator notice 2026/11");
  await add.getByRole("button", { name: "Add to list" }).click();
  await expect(add.getByRole("status")).toContainText(`Added “${name}”`);
  const entry = page.getByRole("article", { name });
  await expect(entry).toContainText("Regulator notice 2026/11");
  await entry.getByLabel("Reason").fill("Notice withdrawn");
  await entry.getByRole("button", { name: "Remove" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Removed" })).toContainText(`Removed “${name}”`);
  await expect(page.getByRole("article", { name })).toHaveCount(0);
  const history = page.getByRole("region", { name: "Sanctions list history" });
  await expect(history.getByRole("row").filter({ hasText: name })).toHaveCount(2);
  const removal = history.getByRole("row").filter({ hasText: name }).filter({ hasText: "Removed" });
  await expect(removal).toContainText("Notice withdrawn");
  await expect(removal).toContainText(DEMO_ADMIN.email);

  await page.goto("/admin/projections");
  const audit = page.getByRole("region", { name: "Read models" }).locator('tr[data-table="audit_log"]');
  await expect(audit).toBeVisible();
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByTestId("verify-report")).toContainText("No differences");
  await expect(page.getByTestId("verify-report")).toContainText(/replayed [\d,]+ events .* events\/s/);
  await page.getByRole("button", { name: "Rebuild" }).click();
  await expect(page.getByTestId("rebuild-report")).toContainText(/Rebuilt: replayed [\d,]+ events/);
});
