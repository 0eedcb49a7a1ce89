import type { Limit } from "../config";
import type { Env } from "../env";
import type { LimitDecision } from "./rate-limiter";

/**
 * The general limit (spec §9: 1,200 requests a minute per user, per IP when anonymous) at a fraction
 * of a Durable Object call per request: a fixed-window counter in the key's `RateLimiter` object that
 * hands out blocks of requests (`lease`), spent here in isolate memory.
 *
 * - Never more than `limit` requests per window: every request spends a hit the object counted
 *   before handing it out, and the object hands out at most `limit` per window.
 * - Possibly fewer: hits an isolate holds but does not spend before the window ends are lost, so a
 *   caller served by several isolates may be refused up to (isolates − 1) × (block − 1) requests
 *   early, and a burst of n concurrent requests that find an isolate's tokens spent brings n blocks
 *   into it (each asks for one; see `takeGeneral`). The block is 1/50 of the limit, at most 25 (24
 *   for 1,200/min: 2 % per extra isolate), and 1 for limits under 100, where every request asks the
 *   object (exact, as the tests use).
 * - Fixed windows (`floor(now / window)`, on the object's clock), not sliding: a caller can make up
 *   to 2 × `limit` requests across a window boundary. For a limit against runaway clients that is
 *   fine; the security limits (login, code guesses) stay exact sliding windows (`limits.ts`).
 * - Once a window is used up, this isolate refuses the key without asking until the window ends,
 *   and `Retry-After` is the time to that end.
 */

const MAX_BLOCK = 25;

/** How many hits one `lease` asks for. */
export function blockSize(limit: number): number {
  return Math.max(1, Math.min(MAX_BLOCK, Math.floor(limit / 50)));
}

type Lease = {
  /** Hits handed to this isolate and not spent yet. */
  tokens: number;
  /** Hits of the window the object had handed out (to every isolate) at the newest lease. */
  used: number;
  /** End of the window the tokens belong to (ms, the object's clock). */
  resetAt: number;
};

type Namespace = Env["RATE_LIMITER"];

/** Per namespace binding (stable per isolate), so a test's wrapped binding starts empty. */
const leasesByNamespace = new WeakMap<Namespace, Map<string, Lease>>();
/** Above this many keys, entries whose window has ended are dropped. */
const MAX_KEYS = 10_000;

function leasesOf(namespace: Namespace): Map<string, Lease> {
  let leases = leasesByNamespace.get(namespace);
  if (!leases) {
    leases = new Map();
    leasesByNamespace.set(namespace, leases);
  }
  return leases;
}

function sweep(leases: Map<string, Lease>, now: number): void {
  if (leases.size < MAX_KEYS) return;
  for (const [id, lease] of leases) if (lease.resetAt <= now) leases.delete(id);
  // Still full of live windows: forget the oldest entries (at worst, lost tokens: fewer requests).
  for (const id of leases.keys()) {
    if (leases.size < MAX_KEYS) break;
    leases.delete(id);
  }
}

/**
 * Spends one request of `key`'s general limit; says whether it was allowed (never throws a 429).
 *
 * A request that finds no token asks the object itself, even while another request of the key is
 * asking: workerd ties a promise to the request whose I/O settles it, and a request that awaits
 * another's lease can end up building its response in that request's context — which fails with
 * "Cannot perform I/O on behalf of a different request" (500s under load; bench auth-me). So no
 * request ever awaits another's promise: concurrent leases each bring a block, and every hit they
 * bring goes into the shared count, so the calls stay one per block on average.
 */
export async function takeGeneral(
  namespace: Namespace,
  key: string,
  limit: Limit,
  clock: () => number = Date.now,
): Promise<LimitDecision> {
  const leases = leasesOf(namespace);
  // The limit is part of the entry: a caller checked against another limit has its own tokens.
  const id = `${limit.limit}/${limit.windowSeconds}:${key}`;
  const now = clock();
  const held = leases.get(id);
  if (held && now < held.resetAt) {
    if (held.tokens > 0) {
      held.tokens -= 1;
      return {
        allowed: true,
        remaining: Math.max(0, limit.limit - held.used) + held.tokens,
        retryAfterSeconds: 0,
      };
    }
    if (held.used >= limit.limit) return refusal(held.resetAt, now);
  }
  const stub = namespace.get(namespace.idFromName(key));
  // A failed lease fails this request (a 500, as any Durable Object failure).
  const grant = await stub.lease(limit.limit, limit.windowSeconds, blockSize(limit.limit));
  let lease = leases.get(id);
  if (!lease) {
    sweep(leases, clock());
    lease = { tokens: 0, used: 0, resetAt: 0 };
    leases.set(id, lease);
  }
  // This request spends one of the hits it was granted; the rest join what the isolate holds.
  // Hits of an earlier window are worthless in a new one, and a late answer about an earlier
  // window adds nothing.
  const extra = Math.max(0, grant.granted - 1);
  if (grant.resetAt > lease.resetAt) {
    lease.tokens = extra;
    lease.used = grant.used;
    lease.resetAt = grant.resetAt;
  } else if (grant.resetAt === lease.resetAt) {
    lease.tokens += extra;
    lease.used = Math.max(lease.used, grant.used);
  }
  if (grant.granted > 0) {
    return {
      allowed: true,
      remaining: Math.max(0, limit.limit - grant.used) + (grant.resetAt === lease.resetAt ? lease.tokens : 0),
      retryAfterSeconds: 0,
    };
  }
  // The window is used up — possibly by concurrent leases of this isolate whose hits are here now.
  if (lease.resetAt === grant.resetAt && lease.tokens > 0) {
    lease.tokens -= 1;
    return { allowed: true, remaining: lease.tokens, retryAfterSeconds: 0 };
  }
  // After its own lease a request trusts the object's answer, even if the clocks disagree.
  return refusal(grant.resetAt, clock());
}

function refusal(resetAt: number, now: number): LimitDecision {
  return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)) };
}
