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
 * Failure counters for the security limits (login failures, code guesses). Every attempt is counted
 * as a failure *before* it is checked — one atomic step in the key's Durable Object — so concurrent
 * guesses cannot all slip past a peek; a success then takes its count back (or clears the key).
 */
export const failures = {
  /** Counts this attempt; throws 429 TOO_MANY_ATTEMPTS (with Retry-After) when the key is locked. */
  async begin(env: Env, key: string, { limit, windowSeconds }: Limit): Promise<void> {
    const decision = await limiter(env, key).consume(limit, windowSeconds);
    if (!decision.allowed)
      throw blocked("TOO_MANY_ATTEMPTS", decision, "Too many failed attempts; try again later.");
  },
  /** The attempt succeeded: it was not a failure after all. */
  async forgive(env: Env, key: string): Promise<void> {
    await limiter(env, key).refund();
  },
  /** Forgets every failure of the key (a successful login). */
  async clear(env: Env, key: string): Promise<void> {
    await limiter(env, key).reset();
  },
};

/** The caller's IP as Cloudflare reports it (the header cannot be forged through Cloudflare's edge). */
export function clientIp(headers: Headers): string {
  return headers.get("cf-connecting-ip") ?? "unknown";
}
