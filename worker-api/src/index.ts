import { createApp } from "./app";
import type { Env } from "./env";

export { Internal } from "./internal";
export { RateLimiter } from "./rate-limit/rate-limiter";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
