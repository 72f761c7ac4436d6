import { realpathSync } from "node:fs";
import path from "node:path";

import type { NextConfig } from "next";

import { COMMON_SECURITY_HEADERS, HSTS, NON_PAGE_CONTENT_SECURITY_POLICY } from "./lib/security-headers";

/**
 * Turbopack reads only files under its root. A git worktree may share another checkout's
 * node_modules through a symlink, so the root is the nearest folder holding both the project and
 * its real node_modules (in a plain checkout, the project itself: the default).
 */
function workspaceRoot(): string {
  const project = process.cwd();
  let modules: string;
  try {
    modules = path.dirname(realpathSync(path.join(project, "node_modules")));
  } catch {
    return project;
  }
  let root = project;
  while (path.relative(root, modules).startsWith("..") && path.dirname(root) !== root) root = path.dirname(root);
  return root;
}

const nextConfig: NextConfig = {
  // PGlite ships WASM and a data-dir loader that break when bundled ("Received an instance of URL" at run time).
  serverExternalPackages: ["@electric-sql/pglite"],
  poweredByHeader: false,
  // The Docker image runs .next/standalone/server.js with only the files the server traces. Vercel
  // packages its functions itself (it sets VERCEL=1 at build), so it gets Next's default output.
  output: process.env.VERCEL ? undefined : "standalone",
  turbopack: { root: workspaceRoot() },
  // Every response: lib/security-headers.ts. Pages get their nonce'd policy (and HSTS) from proxy.ts;
  // what is not a page gets a policy that allows nothing, and HSTS when the request came over HTTPS.
  async headers() {
    const https = [{ type: "header" as const, key: "x-forwarded-proto", value: "https" }];
    const nonPages = ["/api/:path*", "/_next/:path*", "/favicon.ico"];
    return [
      { source: "/:path*", headers: [...COMMON_SECURITY_HEADERS] },
      ...nonPages.map((source) => ({ source, headers: [{ key: "Content-Security-Policy", value: NON_PAGE_CONTENT_SECURITY_POLICY }] })),
      ...nonPages.map((source) => ({ source, has: https, headers: [HSTS] })),
    ];
  },
};

export default nextConfig;
