import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { buildFreshness } from "../../scripts/build-freshness.mjs";

// `npm start` builds when there is no build, and again when a source is newer than the build
// (a `git pull` brought new code), so it never serves an old build of new sources.
describe("npm start's build check", () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function tree(buildAt: number | null, sourceAt: number) {
    root = mkdtempSync(path.join(os.tmpdir(), "ll-fresh-"));
    mkdirSync(path.join(root, "lib", "event-store"), { recursive: true });
    const source = path.join(root, "lib", "event-store", "append.ts");
    writeFileSync(source, "export {};");
    utimesSync(source, sourceAt, sourceAt);
    if (buildAt !== null) {
      mkdirSync(path.join(root, ".next"));
      writeFileSync(path.join(root, ".next", "BUILD_ID"), "x");
      utimesSync(path.join(root, ".next", "BUILD_ID"), buildAt, buildAt);
    }
  }

  it("builds when there is no build", () => {
    tree(null, 1_000);
    expect(buildFreshness(root).stale).toBe(true);
  });

  it("rebuilds when a source is newer than the build, however deep it sits", () => {
    tree(1_000, 2_000);
    expect(buildFreshness(root)).toMatchObject({ builtAt: 1_000_000, stale: true });
  });

  it("serves the build when it is newer than every source", () => {
    tree(2_000, 1_000);
    expect(buildFreshness(root).stale).toBe(false);
  });
});
