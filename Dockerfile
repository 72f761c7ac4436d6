# Ledgerline's image: Next's standalone server on a slim Node, run as a non-root user.
# Build: docker build -t ledgerline .   Run with compose.yaml, or see docs/deploy.md.

# 1. Dependencies, from the lockfile only, so this layer is reused until package-lock.json changes.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# 2. Build, then complete the standalone folder (static assets, public/, drizzle/ migrations, the
#    health check) with the same script the server tests run.
FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npx next build && node scripts/standalone-prepare.mjs

# 3. Runtime: only the standalone folder (the server, its traced node_modules, PGlite's WASM files,
#    the migrations); no dev dependencies, no sources.
FROM node:20-bookworm-slim AS runtime
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
# Migrations are applied by the server before it serves (instrumentation.ts), under an advisory lock.
CMD ["node", "server.js"]
