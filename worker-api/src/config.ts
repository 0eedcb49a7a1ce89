import { positiveInt as int, type Limits, parseLimits } from "../../schema/limits";
import type { Env } from "./env";

/**
 * The insecure JWT secret shipped in wrangler.toml for local development only: public, so anyone
 * could sign tokens with it. A Worker with it (or with no or a short secret) serves only requests
 * to a local stack (lib/local-host.ts), and nothing at all when ENVIRONMENT=production
 * (middleware/request-context.ts).
 */
export const DEV_JWT_SECRET = "insecure-dev-secret-change-me-0123456789abcdef";

export type Limit = { limit: number; windowSeconds: number };

/** Every var parsed; the mirror and AI limits come from schema/limits.ts, shared with worker-consumers. */
export type Config = Limits & {
  environment: string;
  isProduction: boolean;
  jwtSecret: string;
  /**
   * Why the configuration is unsafe to serve the public with, or null: a JWT_SECRET that is unset,
   * the development default, or shorter than 32 bytes. With one, a production Worker serves nothing
   * and any other serves only requests to a local stack (middleware/request-context.ts), so a
   * deploy that forgot ENVIRONMENT=production does not sign tokens with a public secret.
   */
  misconfiguration: string | null;
  corsOrigins: string[];
  version: string;
  opsToken: string | null;
  maxJsonBytes: number;
  loginPerIp: Limit;
  loginFailuresPerName: Limit;
  general: Limit;
  aiJobs: Limit;
  previewStarts: Limit;
  codeFailures: Limit;
  /** The general limit of one viewer's preview token (instead of its address's). */
  viewerGeneral: Limit;
  /** Opens of one session (codes resolved, pages run), whoever opens: the whole preview's ceiling. */
  previewOpens: Limit;
  /** Preview and link pages one address loads (outside `/api/v1`, so outside the general limit). */
  pagesPerIp: Limit;
  previewTtlSeconds: number;
  maxActivePreviews: number;
  /** Origin for links printed in QR codes; empty means "the origin the request came to". */
  publicUrl: string | null;
  /**
   * Where a preview's app runs (docs/architecture.md "Two origins"): a URL template with
   * `{session}`, one origin per session; null means the local default,
   * `<scheme>://{session}.preview.localhost:<port>` beside the API's own port.
   */
  previewOriginTemplate: string | null;
};

function parse(env: Env): Config {
  const environment = env.ENVIRONMENT ?? "development";
  const isProduction = environment === "production";
  const jwtSecret = env.JWT_SECRET ?? "";
  let misconfiguration: string | null = null;
  if (!jwtSecret) misconfiguration = "JWT_SECRET is not set";
  else if (jwtSecret === DEV_JWT_SECRET) misconfiguration = "JWT_SECRET is the development default";
  else if (new TextEncoder().encode(jwtSecret).length < 32)
    misconfiguration = "JWT_SECRET is shorter than 32 bytes";
  // Production runs previews on a registrable domain of their own, framed only by PUBLIC_URL.
  if (isProduction && !misconfiguration) misconfiguration = previewOriginProblem(env);
  const origins = (env.CORS_ORIGINS ?? "")
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean)
    // A wildcard is a development convenience only (spec §10).
    .filter((o) => o !== "*" || environment === "development");
  return {
    environment,
    isProduction,
    jwtSecret,
    misconfiguration,
    corsOrigins: origins,
    version: env.APP_VERSION ?? "0.0.0",
    opsToken: env.OPS_TOKEN || null,
    maxJsonBytes: int(env.MAX_JSON_BYTES, 1024 * 1024),
    loginPerIp: {
      limit: int(env.RATE_LIMIT_LOGIN_PER_IP, 10),
      windowSeconds: int(env.RATE_LIMIT_LOGIN_IP_WINDOW_SECONDS, 60),
    },
    loginFailuresPerName: {
      limit: int(env.RATE_LIMIT_LOGIN_FAILURES_PER_NAME, 5),
      windowSeconds: int(env.RATE_LIMIT_LOGIN_FAILURES_WINDOW_SECONDS, 900),
    },
    general: {
      limit: int(env.RATE_LIMIT_GENERAL, 1200),
      windowSeconds: int(env.RATE_LIMIT_GENERAL_WINDOW_SECONDS, 60),
    },
    aiJobs: { limit: int(env.RATE_LIMIT_AI_JOBS_PER_HOUR, 100), windowSeconds: 3600 },
    previewStarts: { limit: int(env.RATE_LIMIT_PREVIEW_STARTS_PER_HOUR, 60), windowSeconds: 3600 },
    codeFailures: {
      limit: int(env.RATE_LIMIT_CODE_FAILURES, 5),
      windowSeconds: int(env.RATE_LIMIT_CODE_FAILURES_WINDOW_SECONDS, 600),
    },
    viewerGeneral: { limit: int(env.RATE_LIMIT_VIEWER, 600), windowSeconds: 60 },
    previewOpens: { limit: int(env.PREVIEW_OPENS_PER_MINUTE, 1000), windowSeconds: 60 },
    pagesPerIp: { limit: int(env.RATE_LIMIT_PAGES_PER_IP, 3000), windowSeconds: 60 },
    previewTtlSeconds: Math.min(7200, Math.max(300, int(env.PREVIEW_TTL_SECONDS, 1800))),
    maxActivePreviews: int(env.MAX_ACTIVE_PREVIEWS, 10),
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, "") : null,
    previewOriginTemplate: env.PREVIEW_ORIGIN_TEMPLATE
      ? env.PREVIEW_ORIGIN_TEMPLATE.replace(/\/+$/, "")
      : null,
    ...parseLimits(env),
  };
}

/** Why production's preview origin settings are unsafe or unusable, or null. */
function previewOriginProblem(env: Env): string | null {
  const template = env.PREVIEW_ORIGIN_TEMPLATE ?? "";
  if (!template) return "PREVIEW_ORIGIN_TEMPLATE is not set (previews need an origin of their own)";
  if (!/^https:\/\/\{session\}\.[a-z0-9.-]+(?::\d+)?\/?$/i.test(template))
    return "PREVIEW_ORIGIN_TEMPLATE must look like https://{session}.<a domain of its own>";
  if (!env.PUBLIC_URL) return "PUBLIC_URL is not set (only it may frame a preview)";
  if (new URL(template.replace("{session}", "x")).hostname.endsWith(`.${new URL(env.PUBLIC_URL).hostname}`))
    return "PREVIEW_ORIGIN_TEMPLATE must not be a subdomain of PUBLIC_URL's host (its cookies would reach previews)";
  return null;
}

// The env object is stable for an isolate, so parsing happens once per isolate, not per request.
const cache = new WeakMap<Env, Config>();

export function getConfig(env: Env): Config {
  let config = cache.get(env);
  if (!config) {
    config = parse(env);
    cache.set(env, config);
  }
  return config;
}
