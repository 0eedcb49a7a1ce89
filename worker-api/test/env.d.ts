import type { D1Migration } from "cloudflare:test";

// The generated worker-configuration.d.ts files (`npm run types`) declare `Cloudflare.Env`'s
// bindings and `GlobalProps`; the test config adds what is declared here.
declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** A secret: absent unless a test sets it. */
      OPS_TOKEN?: string;
    }
  }
}
