// Completes `next build`'s standalone output (output: "standalone") into a folder that serves on its own:
// Next copies the server and the node_modules it traced, but leaves static assets and public/ to us,
// and the server reads the migrations in drizzle/ at start. The Dockerfile and the server tests both
// run this, so the image and what the tests start cannot drift apart.
//   node scripts/standalone-prepare.mjs   → prints the folder to run `node server.js` in
import { cpSync, existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The folder holding the standalone server.js. It is `.next/standalone` itself unless the tracing
 * root is above the project (a git worktree sharing another checkout's node_modules), in which case
 * Next nests the project under its path relative to that root.
 */
export function standaloneServerDir(projectDir = process.cwd()) {
  const manifest = path.join(projectDir, ".next", "required-server-files.json");
  if (!existsSync(manifest)) throw new Error(`No production build in ${projectDir}: run \`next build\` first.`);
  const { relativeAppDir = "" } = JSON.parse(readFileSync(manifest, "utf8"));
  const serverDir = path.join(projectDir, ".next", "standalone", relativeAppDir);
  if (!existsSync(path.join(serverDir, "server.js"))) {
    throw new Error(`No standalone server at ${serverDir}: next.config.ts must set output: "standalone" before \`next build\`.`);
  }
  return serverDir;
}

/** Copies what the standalone server needs beside it and returns the folder to run it in. */
export function prepareStandalone(projectDir = process.cwd()) {
  const serverDir = standaloneServerDir(projectDir);
  // Replace rather than merge, so a file removed from the project does not linger from an earlier run.
  const copies = [
    [".next/static", ".next/static"],
    ["public", "public"],
    ["drizzle", "drizzle"],
    ["scripts/healthcheck.mjs", "healthcheck.mjs"],
  ];
  for (const [from, to] of copies) {
    const source = path.join(projectDir, from);
    const target = path.join(serverDir, to);
    rmSync(target, { recursive: true, force: true });
    if (existsSync(source)) cpSync(source, target, { recursive: true });
  }
  if (!existsSync(path.join(serverDir, "drizzle", "meta", "_journal.json"))) {
    throw new Error("drizzle/meta/_journal.json is missing: the server could not apply migrations.");
  }
  return serverDir;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(prepareStandalone());
}
