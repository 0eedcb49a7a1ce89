import type { D1Migration } from "cloudflare:test";

// The generated worker-configuration.d.ts files (`npm run types`) declare `Cloudflare.Env`'s
// bindings; the consumers' test config (vitest.config.ts) adds these.
declare global {
  namespace Cloudflare {
    interface Env {
      DB: D1Database;
      TEST_MIGRATIONS: D1Migration[];
      /** The auxiliary worker-api's public HTTP (default export). */
      API_HTTP: Fetcher;
    }
  }
}
