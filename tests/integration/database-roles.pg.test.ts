import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { consumeRateLimit, isRateLimited } from "@/lib/auth/rate-limits";
import { depositMoney, withdrawMoney } from "@/lib/commands/accounts";
import { openDatabase, rowsOf, type DatabaseHandle } from "@/lib/db/client";
import { migrateDatabase } from "@/lib/db/migrate";
import { onEventsAppended } from "@/lib/db/notify";
import { REBUILT_TABLES, storeProtection } from "@/lib/db/roles";
import { readFeed } from "@/lib/event-store/feed";
import { rebuildProjections, verifyProjections } from "@/lib/projections/rebuild";
import { findAccountOwnedBy, readStatementPage } from "@/lib/read-models/accounts";

import { customerWithAccount } from "../support/bank";
import { context, meta } from "../support/commands";
import { createSplitRoleDatabase, TEST_APP_ROLE } from "../support/databases";

// Real Postgres only: PGlite is one role (decision 0023). DATABASE_URL is the admin (owner) URL.
describe.each(process.env.DATABASE_URL ? [process.env.DATABASE_URL] : [])("the app's database role on real Postgres", (adminUrl) => {
  let created: Awaited<ReturnType<typeof createSplitRoleDatabase>>;
  let app: DatabaseHandle;
  let owner: postgres.Sql;
  let accountId: string;
  let customerId: string;
  let streamId: string;

  /** Runs `text` as the app role on its own connection and returns the refusal's SQLSTATE. */
  async function refusal(text: string): Promise<string | undefined> {
    const client = postgres(created.appUrl, { max: 1, onnotice: () => {} });
    try {
      await client.unsafe(text);
      return undefined;
    } catch (error) {
      return (error as { code?: string }).code;
    } finally {
      await client.end({ timeout: 5 });
    }
  }

  beforeAll(async () => {
    created = await createSplitRoleDatabase(adminUrl);
    app = await openDatabase({ kind: "postgres", url: created.appUrl, poolMax: 5 });
    owner = postgres(created.ownerUrl, { max: 1, onnotice: () => {} });
    const customer = await customerWithAccount(app.db, { balance: 10_000 });
    accountId = customer.accountId;
    customerId = customer.user.id;
    streamId = `account-${accountId}`;
    // Every second event crosses a snapshot boundary: snapshots are written (and pruned) as the app.
    const ctx = context(app.db, { snapshotEvery: 2 });
    for (let i = 1; i <= 5; i++) await depositMoney(ctx, { accountId, amount: 100 * i }, meta(customer.actor));
    await withdrawMoney(ctx, { accountId, amount: 250 }, meta(customer.actor));
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await owner?.end({ timeout: 5 });
    await created?.drop();
  });

  it("connects as a role that cannot alter the store, and the owner is told apart", async () => {
    expect(await storeProtection(app.db)).toEqual({ protected: true, role: TEST_APP_ROLE.name, storeExists: true });
    const asOwner = await openDatabase({ kind: "postgres", url: created.ownerUrl, poolMax: 1 });
    try {
      expect(await storeProtection(asOwner.db)).toMatchObject({ protected: false });
    } finally {
      await asOwner.close();
    }
  });

  it.each([
    ["UPDATE events", "update events set data = '{}'::jsonb"],
    ["DELETE events", "delete from events"],
    ["TRUNCATE events", "truncate events"],
    ["ALTER TABLE events DISABLE TRIGGER", "alter table events disable trigger events_no_update_or_delete"],
    ["DROP TRIGGER on events", "drop trigger events_no_update_or_delete on events"],
    ["CREATE TRIGGER on events", "create trigger sneaky before insert on events for each row execute function ledgerline_events_notify()"],
    ["DROP TABLE events", "drop table events"],
    ["ALTER TABLE events OWNER", `alter table events owner to ${TEST_APP_ROLE.name}`],
    ["UPDATE snapshots", "update snapshots set state = jsonb_set(state, '{balance}', '\"999999999\"')"],
    ["DELETE snapshots", "delete from snapshots"],
    ["TRUNCATE snapshots", "truncate snapshots"],
    ["DISABLE TRIGGER on snapshots", "alter table snapshots disable trigger snapshots_checksum"],
    ["TRUNCATE streams", "truncate streams"],
    ["setval on the events' positions", "select setval('events_global_position_seq', 1)"],
    ["granting itself more", "select ledgerline_grant_app_role(current_user, null, '{}')"],
  ])("attack: the app role's %s is refused", async (_name, text) => {
    expect(await refusal(text)).toBe("42501");
  });

  it("the attacks changed nothing: every event is still there, the snapshot still agrees", async () => {
    const [events] = await owner`select count(*)::int as n from events where stream_id = ${streamId}`;
    expect(events?.n).toBe(8);
    const triggers = await owner`select tgname, tgenabled from pg_trigger where tgrelid = 'events'::regclass and not tgisinternal order by tgname`;
    expect(triggers.map((row) => [row.tgname, row.tgenabled])).toEqual([
      ["events_no_truncate", "O"],
      ["events_no_update_or_delete", "O"],
      ["events_notify", "O"],
    ]);
  });

  it("commands, reads and projections work as the app role; older snapshots are pruned by the owner's trigger", async () => {
    const summary = await findAccountOwnedBy(app.db, customerId, accountId);
    expect(summary?.balance).toBe(10_000n + 1_500n - 250n);
    const page = await readStatementPage(app.db, accountId, { kind: "all" }, undefined, 50);
    expect(page.rows.map((row) => row.balanceChange)).toEqual([-250n, 500n, 400n, 300n, 200n, 100n, 10_000n]);
    const snapshots = await owner`select stream_position::int as position from snapshots where stream_id = ${streamId}`;
    expect(snapshots.map((row) => row.position)).toEqual([8]);
  });

  it("rate limits count and refuse as the app role", async () => {
    let refused = 0;
    for (let i = 0; i < 25; i++) {
      try {
        await consumeRateLimit(app.db, "signIn", { account: "guessed@example.com" });
      } catch (error) {
        if (!isRateLimited(error)) throw error;
        refused++;
      }
    }
    expect(refused).toBe(5);
  });

  it("live NOTIFY wakes a listener, and the event feed reads the new events, as the app role", async () => {
    const listener = await openDatabase({ kind: "postgres", url: created.appUrl, poolMax: 2 });
    try {
      const woken = new Promise<void>((resolve) => void onEventsAppended(listener, resolve));
      // Give LISTEN a moment to be in place before the append.
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before = await readFeed(app.db, { limit: 1000 });
      await depositMoney(context(app.db), { accountId, amount: 1 }, meta({ actor: { id: customerId, role: "customer" } }));
      await woken;
      // The feed is gap-free: it shows a commit once no older transaction in the cluster is still
      // open, and other test files' transactions share this server, so read until it is there.
      let after = await readFeed(app.db, { after: before.next, limit: 1000 });
      for (let tries = 0; after.events.length === 0 && tries < 100; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        after = await readFeed(app.db, { after: before.next, limit: 1000 });
      }
      expect(after.events.map((event) => event.type)).toEqual(["MoneyDeposited"]);
    } finally {
      await listener.close();
    }
  });

  it("a rebuild (back office, API and CLI all run it as the app role) swaps the projections in and they stay the app's", async () => {
    const report = await rebuildProjections(app.db);
    expect(report.events).toBeGreaterThan(0);
    expect((await verifyProjections(app.db)).differences).toEqual([]);
    const owners = await owner`select relname::text as name, pg_get_userbyid(relowner)::text as owner from pg_class
      where relnamespace = 'public'::regnamespace and relkind = 'r' and relname = any(${[...REBUILT_TABLES]}::text[]) order by 1`;
    expect(owners.map((row) => row.owner)).toEqual(REBUILT_TABLES.map(() => TEST_APP_ROLE.name));
    // And a command after the swap writes into the new tables.
    await depositMoney(context(app.db), { accountId, amount: 2 }, meta({ actor: { id: customerId, role: "customer" } }));
    expect((await findAccountOwnedBy(app.db, customerId, accountId))?.balance).toBe(10_000n + 1_500n - 250n + 3n);
  });

  it("migrating again (the next release, another instance) keeps the grants, and the app role cannot migrate", async () => {
    await migrateDatabase(app, { url: created.ownerUrl, appRole: TEST_APP_ROLE });
    expect(await refusal("delete from events")).toBe("42501");
    const [row] = rowsOf<{ n: number }>(await app.db.execute(sql`select count(*)::int as n from account_summary`));
    expect(row?.n).toBeGreaterThan(0);
    expect(await refusal("alter table users add column sneaky text")).toBe("42501");
  });

  it("a table a later migration creates is covered by the owner's default privileges: DML, no TRUNCATE", async () => {
    await owner.unsafe("create table later_feature (id bigint generated always as identity primary key, note text)");
    expect(
      await refusal("insert into later_feature (note) values ('x'); update later_feature set note = 'y'; delete from later_feature"),
    ).toBeUndefined();
    expect(await refusal("truncate later_feature")).toBe("42501");
    expect(await refusal("drop table later_feature")).toBe("42501");
  });
});
