/**
 * Bindings of worker-consumers. `ConsumersEnv` is generated from worker-consumers/wrangler.toml by
 * `npm run types` (into worker-consumers/worker-configuration.d.ts; `npm run check` fails when it is
 * stale), including `API`, the RPC into worker-api typed by its `Internal` entrypoint: the only way
 * this Worker changes D1 or Durable Objects. Added here: what no config file lists.
 */
export type Env = ConsumersEnv & {
  /** Workers AI for AI_PROVIDER=workers-ai, once `[ai] binding = "AI"` is added to the config. */
  AI?: Ai;
  /** Key for AI_PROVIDER=openai: a secret (`wrangler secret put AI_API_KEY`). */
  AI_API_KEY?: string;
};
