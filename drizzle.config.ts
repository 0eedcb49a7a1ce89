import { defineConfig } from "drizzle-kit";

// drizzle-kit writes SQL here; wrangler applies the same folder (`migrations_dir`) and the tests read it.
export default defineConfig({
  dialect: "sqlite",
  schema: "./schema/tables/index.ts",
  out: "./schema/migrations",
});
