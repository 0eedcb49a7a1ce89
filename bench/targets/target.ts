// The two ways the bench reaches the same Workers. `wrangler-dev` is what a developer runs (the
// dev proxy in front of workerd); `direct` is Miniflare's own server on the deploy bundles, so the
// difference between them is the proxy's share of each figure.
export type TargetName = "wrangler-dev" | "direct";

export const TARGET_LABELS: Record<TargetName, string> = {
  "wrangler-dev": "wrangler dev",
  direct: "direct (Miniflare)",
};

export type Target = {
  name: TargetName;
  /** Origin without a trailing slash, e.g. http://127.0.0.1:40123 */
  url: string;
  stop: () => Promise<void>;
  /** The Workers' recent output, for an error message. */
  logs: () => string;
  /** How often the target reloaded its Workers during the run (a reload mid-load stalls it). */
  reloads?: () => number;
};
