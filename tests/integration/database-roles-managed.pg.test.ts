import { randomBytes } from "node:crypto";

import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { depositMoney } from "@/lib/commands/accounts";
import { openDatabase, rowsOf, type DatabaseHandle } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { storeProtection } from "@/lib/db/roles";
import { rebuildProjections } from "@/lib/projections/rebuild";

import { customerWithAccount } from "../support/bank";
import { context, meta } from "../support/commands";
import { withDatabaseName, withUser } from "../support/databases";

// Real Postgres only. A managed Postgres (a cloud provider's) gives no superuser: the database's
// owner is an ordinary role with CREATEROLE. Migrating as it, then running as the app role it
// creates, must work as with a superuser owner (decision 0023, docs/deploy.md).
describe.each(process.env.DATABASE_URL ? [process.env.DATABASE_URL] : [])("a non-superuser owner, as on managed Postgres", (adminUrl) => {
  const suffix = `${process.pid}_${randomBytes(3).toString("hex")}`;
  const ownerRole = { name: `ll_owner_${suffix}`, password: "owner-password" };
  const appRole = { name: `ll_app_${suffix}`, password: "app-password" };
  const database = `ll_managed_${suffix}`;
  const ownerUrl = withUser(withDatabaseName(adminUrl, database), ownerRole);
  const appUrl = withUser(withDatabaseName(adminUrl, database), appRole);
  let admin: postgres.Sql;
  let app: DatabaseHandle | undefined;

  beforeAll(async () => {
    admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create role "${ownerRole.name}" login createrole nosuperuser password '${ownerRole.password}'`);
    await admin.unsafe(`create database "${database}" owner "${ownerRole.name}"`);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await admin.unsafe(`drop database if exists "${database}" with (force)`);
    for (const role of [appRole.name, ownerRole.name]) await admin.unsafe(`drop role if exists "${role}"`);
    await admin.end({ timeout: 5 });
  });

  it("migrates as the owner, creates the app role, and the app runs commands, reads and a rebuild while the store refuses it UPDATE and DELETE", async () => {
    await migrateDatabase({ kind: "postgres" } as DatabaseHandle, { url: ownerUrl, appRole });
    app = await openDatabase({ kind: "postgres", url: appUrl, poolMax: 3 });
    expect((await storeProtection(app.db)).protected).toBe(true);

    const customer = await customerWithAccount(app.db, { balance: 1_000 });
    await depositMoney(context(app.db), { accountId: customer.accountId, amount: 250 }, meta(customer.actor));
    await rebuildProjections(app.db);
    const [row] = rowsOf<{ balance: string }>(
      await app.db.execute(sql`select balance::text as balance from account_summary where account_id = ${customer.accountId}`),
    );
    expect(row?.balance).toBe("1250");

    for (const statement of ["update events set data = '{}'", "delete from events", "truncate events"]) {
      const client = postgres(appUrl, { max: 1, onnotice: () => {} });
      await expect(client.unsafe(statement)).rejects.toMatchObject({ code: "42501" });
      await client.end({ timeout: 5 });
    }
    // The next release migrates again as the same owner: idempotent, grants kept.
    await migrateDatabase({ kind: "postgres" } as DatabaseHandle, { url: ownerUrl, appRole });
    expect((await storeProtection(app.db)).protected).toBe(true);
  }, 120_000);
});
