import type { QueueMessage } from "../../schema/queue-messages";
import type { RevokedSessions } from "./auth/revoked-sessions";
import type { PreviewSession } from "./preview/preview-session";
import type { RateLimiter } from "./rate-limit/rate-limiter";

/** Bindings of worker-api (root wrangler.toml). Every var is a string; `config.ts` parses them once. */
export type Env = {
  DB: D1Database;
  BLOBS: R2Bucket;
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  PREVIEW_SESSION: DurableObjectNamespace<PreviewSession>;
  REVOKED_SESSIONS: DurableObjectNamespace<RevokedSessions>;
  PREVIEW_TASKS: Queue<QueueMessage>;
  AI_JOBS: Queue<QueueMessage>;
  REPO_SYNC: Queue<QueueMessage>;
  NOTIFICATIONS: Queue<QueueMessage>;
  ENVIRONMENT?: string;
  JWT_SECRET?: string;
  CORS_ORIGINS?: string;
  APP_VERSION?: string;
  OPS_TOKEN?: string;
  MAX_JSON_BYTES?: string;
  RATE_LIMIT_LOGIN_PER_IP?: string;
  RATE_LIMIT_LOGIN_IP_WINDOW_SECONDS?: string;
  RATE_LIMIT_LOGIN_FAILURES_PER_NAME?: string;
  RATE_LIMIT_LOGIN_FAILURES_WINDOW_SECONDS?: string;
  RATE_LIMIT_GENERAL?: string;
  RATE_LIMIT_GENERAL_WINDOW_SECONDS?: string;
  RATE_LIMIT_AI_JOBS_PER_HOUR?: string;
  RATE_LIMIT_PREVIEW_STARTS_PER_HOUR?: string;
  RATE_LIMIT_CODE_FAILURES?: string;
  RATE_LIMIT_CODE_FAILURES_WINDOW_SECONDS?: string;
  PREVIEW_TTL_SECONDS?: string;
  MAX_ACTIVE_PREVIEWS?: string;
  PUBLIC_URL?: string;
  MAX_FILE_BYTES?: string;
  MAX_PROJECT_FILES?: string;
  MAX_PROJECT_BYTES?: string;
  MAX_AI_INPUT_BYTES?: string;
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
    auth: AuthContext;
  };
};
