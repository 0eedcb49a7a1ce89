import type { Internal } from "../../worker-api/src/internal";

/** Bindings of worker-consumers (worker-consumers/wrangler.toml). */
export type Env = {
  BLOBS: R2Bucket;
  /** RPC into worker-api: the only way this Worker changes D1 or Durable Objects. */
  API: Service<Internal>;
  AI?: Ai;
  ENVIRONMENT?: string;
  AI_PROVIDER?: string;
  AI_MODEL?: string;
  AI_BASE_URL?: string;
  AI_API_KEY?: string;
  MAX_AI_INPUT_BYTES?: string;
  /** Base of the exponential retry delay in seconds (default 5: 10 s, 20 s, 40 s …). */
  RETRY_BASE_DELAY_SECONDS?: string;
  /** Development-only chaos for soak tests, see fault-injection.ts. */
  FAULT_INJECTION?: string;
};
