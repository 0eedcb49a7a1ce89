import { createApp } from "./app";
import { kickSweeper } from "./dispatch/arm";
import type { Env } from "./env";
import { purgeExpired } from "./maintenance";

export { UserSessions } from "./auth/user-sessions";
export { JobSweeper } from "./dispatch/job-sweeper";
export { Internal } from "./internal";
export { PreviewSession } from "./preview/preview-session";
export { RateLimiter } from "./rate-limit/rate-limiter";

/** The daily clean-up's cron (wrangler.toml [triggers]); every other cron is the sweeper's nudge. */
const DAILY_PURGE_CRON = "17 3 * * *";

const app = createApp();

export default {
  fetch: app.fetch,
  async scheduled(controller, env, ctx) {
    if (controller.cron === DAILY_PURGE_CRON) ctx.waitUntil(purgeExpired(env));
    else ctx.waitUntil(kickSweeper(env));
  },
} satisfies ExportedHandler<Env>;
