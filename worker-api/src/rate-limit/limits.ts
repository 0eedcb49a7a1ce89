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

/** The 429 `RATE_LIMITED` (with Retry-After) of a refused request. */
export function rateLimited(decision: LimitDecision): ApiError {
  return blocked("RATE_LIMITED", decision, "Too many requests; slow down and retry later.");
}

/**
 * Counts a request against `key` in its exact sliding window (the login, preview-start and AI-job
 * limits; the general limit is `general.ts`); throws 429 `RATE_LIMITED` once over `limit`.
 */
export async function enforceRateLimit(
  env: Env,
  key: string,
  { limit, windowSeconds }: Limit,
): Promise<LimitDecision> {
  const decision = await limiter(env, key).consume(limit, windowSeconds);
  if (!decision.allowed) throw rateLimited(decision);
  return decision;
}

/**
 * Failure counters for the security limits (login failures, code guesses). Every attempt is counted
 * as a failure *before* it is checked — one atomic step in the key's Durable Object — so concurrent
 * guesses cannot all slip past a peek; a success then takes its count back (or clears the key).
 */
export const failures = {
  /** Counts this attempt; throws 429 TOO_MANY_ATTEMPTS (with Retry-After) when the key is locked. */
  async begin(env: Env, key: string, limit: Limit): Promise<void> {
    const decision = await failures.count(env, key, limit);
    if (!decision.allowed) throw failures.locked(decision);
  },
  /** Counts this attempt like `begin`, but only says whether the key is locked (the caller decides). */
  count(env: Env, key: string, { limit, windowSeconds }: Limit): Promise<LimitDecision> {
    return limiter(env, key).consume(limit, windowSeconds);
  },
  /** The 429 TOO_MANY_ATTEMPTS of a locked key. */
  locked(decision: LimitDecision): ApiError {
    return blocked("TOO_MANY_ATTEMPTS", decision, "Too many failed attempts; try again later.");
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

/**
 * The wrong-code budget of an address (preview and link codes, on the API and the landing pages):
 * only a wrong code counts, and each distinct one once. A right one costs nothing, however many
 * phones behind one address open it at once; the same typo from a whole room is one guess; and
 * distinct wrong ones stay limited exactly, because counting one is the key's atomic step that
 * refuses past the limit — of 30 concurrent distinct wrong guesses 5 are told "not found", 25 "too
 * many". A QR code's link carries a key that opens its preview without any guess at all, so a
 * room keeps opening by QR even once its address is out of guesses (docs/previews.md §"Codes").
 */
export const codeGuesses = {
  /** Refuses (429 TOO_MANY_ATTEMPTS) an address that is out of guesses, counting nothing. */
  async assertOpen(env: Env, key: string, { limit, windowSeconds }: Limit): Promise<void> {
    const decision = await limiter(env, key).peek(limit, windowSeconds);
    if (!decision.allowed) throw failures.locked(decision);
  },
  /**
   * Counts a wrong code (`guess`: what was tried, e.g. its hash) unless the address tried it before
   * in the window. Throws 429 when a concurrent guess took the address's last one: the caller then
   * answers "too many", never "not found", so no guess beyond the limit is ever answered.
   */
  async wrong(env: Env, key: string, { limit, windowSeconds }: Limit, guess: string): Promise<void> {
    const decision = await limiter(env, key).consumeDistinct(limit, windowSeconds, guess);
    if (!decision.allowed) throw failures.locked(decision);
  },
};

/**
 * The key for per-IP limits: the caller's IPv4 address, or the /64 network of an IPv6 address —
 * one subscriber usually holds a whole /64, so counting single IPv6 addresses would let a guesser
 * rotate through 2^64 of them. Cloudflare sets the header; it cannot be forged through its edge.
 */
export function clientIp(headers: Headers): string {
  const ip = headers.get("cf-connecting-ip")?.trim() ?? "";
  if (!ip) return "unknown";
  if (!ip.includes(":")) return ip;
  return `${ipv6Prefix64(ip)}::/64`;
}

/** The first four 16-bit groups of an IPv6 address, expanded (`2001:db8::1` → `2001:db8:0:0`). */
function ipv6Prefix64(ip: string): string {
  const [head = "", tail] = ip.toLowerCase().split("%")[0]?.split("::") ?? [];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, "") || "0")
    .join(":");
}
