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
};
