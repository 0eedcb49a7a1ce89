import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;
const migrations = await readD1Migrations(path.join(root, "schema/migrations"));

export default defineConfig({
  test: {
    // Request logs of passing tests are noise; a failing test still shows its own output.
    silent: "passed-only",
    projects: [
      {
        // worker-api is the main Worker: SELF and `exports` are worker-api/src/index.ts.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { TEST_MIGRATIONS: migrations } },
          }),
        ],
        test: {
          name: "worker-api",
          include: ["worker-api/src/**/*.test.ts", "worker-api/src/**/*.test.tsx"],
          setupFiles: ["./worker-api/test/apply-migrations.ts"],
        },
      },
      {
        // worker-consumers is the main Worker: queue handlers and the job logic they run.
        plugins: [cloudflareTest({ wrangler: { configPath: "./worker-consumers/wrangler.toml" } })],
        test: { name: "worker-consumers", include: ["worker-consumers/src/**/*.test.ts"] },
      },
    ],
  },
});
