import type { MessageOf, QueueMessageKind } from "../../schema/queue-messages";
import type { QUEUES, QueueBinding } from "../../schema/queues";
import type { projects } from "../../schema/tables";

/**
 * Bindings of worker-api. `ApiEnv` is generated from wrangler.toml by `npm run types` (into
 * worker-api/worker-configuration.d.ts; `npm run check` fails when it is stale); this adds what the
 * generated file cannot know. Every var is a string; `config.ts` parses them once.
 */
export type Env = Omit<ApiEnv, QueueBinding | keyof Secrets> & QueueProducers & Secrets;

/** Each producer binding sends exactly the message kind its queue carries (schema/queues.ts). */
type QueueProducers = {
  [K in QueueMessageKind as (typeof QUEUES)[K]["binding"]]: Queue<MessageOf<K>>;
};

/**
 * Set with `wrangler secret put` in production. JWT_SECRET has a development value in [vars] but may
 * be missing or wrong in a deployment: `config.ts` refuses to serve then.
 */
type Secrets = {
  JWT_SECRET?: string;
  OPS_TOKEN?: string;
};

export type AuthContext = {
  userId: string;
  sessionId: string;
};

/** Hono's environment for every route: bindings plus per-request variables. */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    /** Verified access-token claims (signature and expiry only; `requireAuth` also checks revocation). */
    claims?: { sub: string; sid: string };
    /**
     * A preview token's viewer, its signature checked once per request (which session it may read
     * is the route's call); `token` is the token that was checked.
     */
    viewer?: { sessionId: string; viewerId: string; token: string };
    auth: AuthContext;
    /** The project of a route declared with `ownedProject`, owned by the caller (`ownedProject(c)`). */
    project?: typeof projects.$inferSelect;
  };
};
