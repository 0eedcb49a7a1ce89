import type { D1Migration } from "cloudflare:test";
import type { Env as ConsumerEnv } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends ConsumerEnv {
      DB: D1Database;
      TEST_MIGRATIONS: D1Migration[];
      /** The auxiliary worker-api's public HTTP (default export). */
      API_HTTP: Fetcher;
    }
  }
}
