import { defineConfig } from "drizzle-kit";

// drizzle-kit only generates SQL from the schema here; migrations are applied by
// `npm run db:migrate` or at server start (lib/db/migrate.ts), on PGlite or Postgres alike.
export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/db/schema.ts",
  out: "./drizzle",
  strict: true,
});
