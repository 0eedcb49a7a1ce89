import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { QUEUE_LIST } from "./schema/queues.ts";
import { API_BUNDLE_DIR } from "./worker-consumers/test/build-api.ts";

const root = import.meta.dirname;
const migrations = await readD1Migrations(path.join(root, "schema/migrations"));
// Must equal database_id in wrangler.toml: the consumers project shares the aux API's database.
const DB_ID = "00000000-0000-4000-8000-00000000d1d1";

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
        // worker-consumers is the main Worker; worker-api runs beside it as an auxiliary Worker built
        // from its bundle, so env.API is the real RPC entrypoint and queues deliver for real.
        plugins: [
          // A function: it runs after globalSetup has bundled worker-api and listed its modules.
          cloudflareTest(({ inject }) => ({
            wrangler: { configPath: "./worker-consumers/wrangler.toml" },
            miniflare: {
              d1Databases: { DB: DB_ID },
              bindings: { TEST_MIGRATIONS: migrations },
              serviceBindings: { API_HTTP: "hivesync-api" },
              workers: [
                {
                  name: "hivesync-api",
                  modulesRoot: API_BUNDLE_DIR,
                  modules: inject("apiModules"),
                  compatibilityDate: "2026-10-20",
                  compatibilityFlags: ["nodejs_compat"],
                  bindings: {
                    ENVIRONMENT: "development",
                    JWT_SECRET: "insecure-dev-secret-change-me-0123456789abcdef",
                    CORS_ORIGINS: "*",
                    APP_VERSION: "test",
                  },
                  d1Databases: { DB: DB_ID },
                  r2Buckets: { BLOBS: "hivesync-blobs" },
                  durableObjects: {
                    RATE_LIMITER: { className: "RateLimiter", useSQLite: true },
                    JOB_SWEEPER: { className: "JobSweeper", useSQLite: true },
                    USER_SESSIONS: { className: "UserSessions", useSQLite: true },
                  },
                  // The same producers as wrangler.toml's, from the one table both are checked against.
                  queueProducers: Object.fromEntries(
                    QUEUE_LIST.map(({ binding, queue }) => [binding, { queueName: queue }]),
                  ),
                },
              ],
            },
          })),
        ],
        test: {
          name: "worker-consumers",
          include: ["worker-consumers/src/**/*.test.ts"],
          globalSetup: ["./worker-consumers/test/build-api.ts"],
          setupFiles: ["./worker-api/test/apply-migrations.ts"],
        },
      },
      {
        // The whole local stack under `wrangler dev`, driven over HTTP from Node.
        test: {
          name: "e2e",
          environment: "node",
          include: ["clients/e2e/**/*.e2e.test.ts"],
          globalSetup: ["./clients/e2e/global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      // The preview runtime (runtime/): its registry in Node, its pages in headless Chromium.
      "./runtime/vitest.config.ts",
      {
        // The client libraries (clients/core, desktop, mobile) against fake servers: plain Node, fast.
        test: {
          name: "clients",
          environment: "node",
          include: ["clients/**/*.test.ts"],
          exclude: ["clients/e2e/**", "**/node_modules/**"],
        },
      },
    ],
  },
});
