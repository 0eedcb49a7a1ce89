import type { Limit } from "../config";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import type { LimitDecision } from "./rate-limiter";

function limiter(env: Env, key: string) {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(key));
}

function blocked(
  code: "RATE_LIMITED" | "TOO_MANY_ATTEMPTS",
  decision: LimitDecision,
  message: string,
): ApiError {
  return new ApiError(
    code,
    message,
    { retry_after_seconds: decision.retryAfterSeconds },
    { "retry-after": String(decision.retryAfterSeconds) },
  );
}

/** Counts a request against `key`; throws 429 `RATE_LIMITED` (with Retry-After) once over `limit`. */
export async function enforceRateLimit(
  env: Env,
  key: string,
  { limit, windowSeconds }: Limit,
): Promise<LimitDecision> {
  const decision = await limiter(env, key).consume(limit, windowSeconds);
  if (!decision.allowed)
    throw blocked("RATE_LIMITED", decision, "Too many requests; slow down and retry later.");
  return decision;
}

/**
 * Failure counters for the security limits (login failures, code guesses): `assertNotLocked` before
 * trying, `recordFailure` after a miss, `clearFailures` after a success.
 */
export const failures = {
  async assertNotLocked(env: Env, key: string, { limit, windowSeconds }: Limit): Promise<void> {
    const decision = await limiter(env, key).peek(limit, windowSeconds);
    if (!decision.allowed)
      throw blocked("TOO_MANY_ATTEMPTS", decision, "Too many failed attempts; try again later.");
  },
  async recordFailure(env: Env, key: string, { limit, windowSeconds }: Limit): Promise<void> {
    await limiter(env, key).record(limit, windowSeconds);
  },
  async clearFailures(env: Env, key: string): Promise<void> {
    await limiter(env, key).reset();
  },
};

/** The caller's IP as Cloudflare reports it (the header cannot be forged through Cloudflare's edge). */
export function clientIp(headers: Headers): string {
  return headers.get("cf-connecting-ip") ?? "unknown";
}
