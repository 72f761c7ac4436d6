import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import drizzle from "eslint-plugin-drizzle";

/**
 * The layers of docs/architecture.md. A file may import from its own layer, from the process-wide
 * plumbing (lib/env, lib/log, lib/request-id, lib/request-context, lib/errors, lib/export) and from
 * the layers listed for it; anything else is a lint error. Tests, scripts and benchmarks are outside
 * the layers.
 */
const LAYERS = {
  domain: { files: ["lib/domain/**"], may: [] },
  db: { files: ["lib/db/**"], may: ["domain"] },
  observability: { files: ["lib/observability/**"], may: ["db", "domain"] },
  "event-store": { files: ["lib/event-store/**"], may: ["db", "domain", "observability"] },
  projections: { files: ["lib/projections/**"], may: ["event-store", "db", "domain"] },
  commands: { files: ["lib/commands/**"], may: ["projections", "event-store", "db", "domain"] },
  "process-managers": { files: ["lib/process-managers/**"], may: ["commands", "projections", "event-store", "db", "domain"] },
  auth: { files: ["lib/auth/**"], may: ["commands", "projections", "event-store", "db", "domain"] },
  "read-models": { files: ["lib/read-models/**"], may: ["projections", "event-store", "db", "domain"] },
  dal: {
    files: ["lib/dal/**"],
    may: ["read-models", "process-managers", "commands", "auth", "projections", "event-store", "db", "domain", "observability"],
  },
  api: {
    files: ["lib/api/**"],
    may: ["read-models", "process-managers", "commands", "auth", "projections", "event-store", "db", "domain", "observability"],
  },
  demo: { files: ["lib/demo/**"], may: ["process-managers", "commands", "auth", "projections", "event-store", "db", "domain"] },
  queries: { files: ["lib/queries/**"], may: ["domain"] },
  // The JSON API's routes reach data only through lib/api; the operational routes (health,
  // readiness, metrics, the cron) through the DAL, observability and the runners.
  "api-routes": { files: ["app/api/v1/**"], may: ["api"] },
  "ops-routes": { files: ["app/api/!(v1)/**"], may: ["dal", "observability", "process-managers", "auth"] },
  app: { files: ["app/**"], ignores: ["app/api/**"], may: ["dal", "components", "queries", "domain"] },
  components: { files: ["components/**"], may: ["queries", "domain"] },
};
const FOLDERS = [
  "domain",
  "db",
  "observability",
  "event-store",
  "projections",
  "commands",
  "process-managers",
  "auth",
  "read-models",
  "dal",
  "api",
  "demo",
  "queries",
  "components",
];

/** An import of `layer` written as `@/lib/<layer>`, `../<layer>` or `../../lib/<layer>`. */
const importOf = (layers) => `^(@/lib/|@/|(\\.\\./)+(lib/)?)(${layers.join("|")})(/|$)`;

/** Client code may name the server's DTO types (erased at build), not import its code. */
const TYPES_ONLY = new Set(["components", "queries"]);

const layering = Object.entries(LAYERS).map(([name, { files, ignores, may }]) => {
  const own = name === "api-routes" || name === "ops-routes" || name === "app" ? [] : [name];
  const forbidden = FOLDERS.filter((folder) => !own.includes(folder) && !may.includes(folder));
  return {
    files,
    ...(ignores ? { ignores } : {}),
    rules: {
      [TYPES_ONLY.has(name) ? "@typescript-eslint/no-restricted-imports" : "no-restricted-imports"]: [
        "error",
        {
          patterns: [
            {
              regex: importOf(forbidden),
              message: `${name} may not import this layer: see the layers in docs/architecture.md.`,
              ...(TYPES_ONLY.has(name) ? { allowTypeImports: true } : {}),
            },
          ],
        },
      ],
    },
  };
});

/**
 * `x as unknown as T` tells the type checker nothing at all. The one file allowed it is the database
 * adapter, lib/db/adapter.ts, which reaches under Drizzle's and the drivers' types and has a contract
 * test for it (decision 0040); anywhere else, find the right type instead.
 */
const CAST_THROUGH_UNKNOWN =
  ":matches(TSAsExpression, TSTypeAssertion)[expression.type=/^(TSAsExpression|TSTypeAssertion)$/][expression.typeAnnotation.type='TSUnknownKeyword']";
const ADAPTER = "lib/db/adapter.ts";

const config = [
  ...nextVitals,
  ...nextTs,
  {
    plugins: { drizzle },
    rules: {
      // An UPDATE or DELETE without WHERE on a ledger is never what anyone meant.
      "drizzle/enforce-delete-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "drizzle/enforce-update-with-where": ["error", { drizzleObjectName: ["db", "tx"] }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-restricted-syntax": [
        "error",
        {
          selector: CAST_THROUGH_UNKNOWN,
          message: `No cast through \`unknown\` outside ${ADAPTER}: give the value its real type, or add a typed function to the adapter (decision 0040).`,
        },
      ],
    },
  },
  { files: [ADAPTER], rules: { "no-restricted-syntax": "off" } },
  ...layering,
  { ignores: [".next/**", "node_modules/**", ".data/**", "drizzle/**", "next-env.d.ts", "test-results/**", "playwright-report/**"] },
];

export default config;
