import { createApp } from "./app";
import type { Env } from "./env";
import { purgeExpired } from "./maintenance";

export { RevokedSessions } from "./auth/revoked-sessions";
export { Internal } from "./internal";
export { PreviewSession } from "./preview/preview-session";
export { RateLimiter } from "./rate-limit/rate-limiter";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(purgeExpired(env));
  },
} satisfies ExportedHandler<Env>;
