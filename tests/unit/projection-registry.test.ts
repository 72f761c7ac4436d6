import { getTableName } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { accountAggregate } from "@/lib/commands/accounts";
import { approvalAggregate } from "@/lib/commands/approvals";
import { inboundPaymentAggregate } from "@/lib/commands/inbound-payments";
import { orderAggregate } from "@/lib/commands/orders";
import { sanctionsAggregate, transferAggregate } from "@/lib/commands/transfers";
import { REBUILT_TABLES } from "@/lib/db/roles";
import { projectionTables } from "@/lib/db/schema";
import { REBUILD_TABLE_NAMES } from "@/lib/projections/rebuild";
import { PROJECTIONS, writersByStreamType, type ProjectionDefinition } from "@/lib/projections/registry";

// The registry is what the handler's specs, the replay, rebuild and verify and the back office read:
// a projection missing from it would be neither written inline nor rebuilt, and a table swapped by
// the rebuild but not owned by the app's role would fail the swap on a real deployment.

const registry: readonly ProjectionDefinition[] = PROJECTIONS;
const owned = registry.flatMap((projection) => projection.tables.map(({ table }) => getTableName(table)));
const sorted = (names: Iterable<string>) => [...names].sort();

describe("the projection registry", () => {
  it("owns exactly the schema's projection tables, each in one projection", () => {
    expect(sorted(owned)).toEqual(sorted(projectionTables.map((table) => getTableName(table))));
    expect(new Set(owned).size).toBe(owned.length);
    expect(new Set(registry.map(({ name }) => name)).size).toBe(registry.length);
  });

  it("gives the rebuild the tables the app's database role is made owner of", () => {
    const rebuilt = registry.filter(({ rebuilt }) => rebuilt).flatMap(({ tables }) => tables.map(({ table }) => getTableName(table)));
    expect(REBUILD_TABLE_NAMES).toEqual(rebuilt);
    expect(sorted(REBUILD_TABLE_NAMES)).toEqual(sorted(REBUILT_TABLES));
  });

  it("has one writer per stream type, and a rebuilt projection's tables are written by the writer of every stream it reads", () => {
    const led = registry.flatMap(({ writes }) => writes?.streamTypes ?? []);
    expect(new Set(led).size).toBe(led.length);
    for (const projection of registry) {
      for (const streamType of projection.streamTypes) {
        const writer = writersByStreamType.get(streamType);
        expect(writer, `${projection.name} reads ${streamType} streams, which have no writer`).toBeDefined();
        if (!projection.rebuilt || !writer) continue;
        const lead = registry.find(({ writes }) => writes === writer);
        const writes = new Set([...(lead?.tables.map(({ table }) => table) ?? []), ...writer.alsoWrites]);
        for (const { table } of projection.tables) {
          expect(writes.has(table), `${streamType} events' writer does not write ${getTableName(table)}`).toBe(true);
        }
      }
    }
  });

  it("is where every aggregate that the handler projects inline takes its writer from", () => {
    const specs = [
      accountAggregate(100),
      transferAggregate(100),
      sanctionsAggregate,
      orderAggregate(100),
      inboundPaymentAggregate(100),
      approvalAggregate,
    ];
    for (const spec of specs) {
      const inline = writersByStreamType.get(spec.streamType)?.inline;
      expect(inline, `${spec.streamType} has no inline writer in the registry`).toBeDefined();
      expect(spec.project).toBe(inline?.project);
      expect(spec.prefetch).toBe(inline?.prefetch);
    }
  });
});
