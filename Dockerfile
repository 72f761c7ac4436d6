# Ledgerline's image: Next's standalone server on a slim Node, run as a non-root user.
# Build: docker build -t ledgerline .   Run with compose.yaml, or see docs/deploy.md.

# Every stage on one Node 24 image, pinned by digest so a rebuild cannot move under us. The digest is
# node:24.21.0-bookworm-slim, what node:24-bookworm-slim pointed at in October 2026, and 24.21.0 is the
# `node` dependency in package.json: bump the two together. (Our machines cannot reach the image
# registry; the digest was read from public Dockerfiles pinning that tag.)
ARG NODE_IMAGE=node:24-bookworm-slim@sha256:d6aa754f16b3197301076f047b5def2f02ea1dbbc2ca920407d46d7ec7f87b20

# 1. Dependencies, from the lockfile only, so this layer is reused until package-lock.json changes.
#    This installs the `node` dependency's binary too; only the build uses it (npx puts it first on
#    the PATH, the same 24.21.0 as the image's). The runtime stage never sees it: Next does not trace it.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# 2. Build, then complete the standalone folder (static assets, public/, drizzle/ migrations, the
#    health check) with the same script the server tests run.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npx next build && node scripts/standalone-prepare.mjs

# 3. Runtime: only the standalone folder (the server, its traced node_modules, PGlite's WASM files,
#    the migrations); no dev dependencies, no sources. `node` is the image's own (/usr/local/bin).
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
# HOSTNAME: Docker sets it to the container id, and the standalone server listens on $HOSTNAME.
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    HOSTNAME=0.0.0.0 \
    PORT=3000
# The code stays root-owned (the app cannot rewrite itself); only Next's cache and the embedded
# database's folder (used when DATABASE_URL is unset) are writable by the app's user.
COPY --from=build /app/.next/standalone ./
RUN mkdir -p .next/cache .data && chown 1000:1000 .next/cache .data
# 1000 is the image's `node` user; numeric, so a Kubernetes runAsNonRoot check can verify it.
USER 1000:1000
EXPOSE 3000
# Slim images have no curl: node asks /api/health (scripts/healthcheck.mjs).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["node", "healthcheck.mjs"]
# Migrations are applied by the server before it serves (instrumentation.ts), under an advisory lock,
# as DATABASE_OWNER_URL's role when it is set. With only a restricted DATABASE_URL (the app's role,
# docs/deploy.md "Database roles") they are the release step's: compose's `migrate` service, or
# `npm run db:migrate` from the build stage.
CMD ["node", "server.js"]
