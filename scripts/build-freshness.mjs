import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/** What a production build is made from: a source newer than the build (after a `git pull`, say) makes it stale. */
export const BUILD_SOURCES = [
  "app",
  "lib",
  "components",
  "drizzle",
  "public",
  "proxy.ts",
  "instrumentation.ts",
  "next.config.ts",
  "package-lock.json",
  "tsconfig.json",
];

function newest(entry) {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const name of readdirSync(entry)) latest = Math.max(latest, newest(path.join(entry, name)));
  return latest;
}

/** When the build in `root` was made (0: none) and whether a source is newer than it. */
export function buildFreshness(root) {
  const id = path.join(root, ".next", "BUILD_ID");
  const builtAt = existsSync(id) ? statSync(id).mtimeMs : 0;
  const sourcesAt = Math.max(...BUILD_SOURCES.map((entry) => newest(path.join(root, entry))));
  return { builtAt, stale: builtAt === 0 || sourcesAt > builtAt };
}
