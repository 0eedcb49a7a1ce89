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
 *   early. The block is 1/50 of the limit, at most 25 (24 for 1,200/min: 2 % per extra isolate), and
 *   1 for limits under 100, where every request asks the object (exact, as the tests use).
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
  /** Hits of the window the object had handed out (to every isolate) at the last lease. */
  used: number;
  /** End of the window the tokens belong to (ms, the object's clock). */
  resetAt: number;
  /** The lease in flight: concurrent requests of the key wait for it instead of asking again. */
  pending: Promise<void> | null;
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
  for (const [id, lease] of leases) if (!lease.pending && lease.resetAt <= now) leases.delete(id);
  // Still full of live windows: forget the oldest entries (at worst, lost tokens: fewer requests).
  for (const [id, lease] of leases) {
    if (leases.size < MAX_KEYS) break;
    if (!lease.pending) leases.delete(id);
  }
}

async function refill(namespace: Namespace, key: string, limit: Limit, lease: Lease): Promise<void> {
  const stub = namespace.get(namespace.idFromName(key));
  const grant = await stub.lease(limit.limit, limit.windowSeconds, blockSize(limit.limit));
  // Tokens of an earlier window are worthless in a new one.
  lease.tokens = grant.resetAt === lease.resetAt ? lease.tokens + grant.granted : grant.granted;
  lease.used = grant.used;
  lease.resetAt = grant.resetAt;
}

/** Spends one request of `key`'s general limit; says whether it was allowed (never throws a 429). */
export async function takeGeneral(
  namespace: Namespace,
  key: string,
  limit: Limit,
  clock: () => number = Date.now,
): Promise<LimitDecision> {
  const leases = leasesOf(namespace);
  // The limit is part of the entry: a caller checked against another limit has its own tokens.
  const id = `${limit.limit}/${limit.windowSeconds}:${key}`;
  let refilled = false;
  for (;;) {
    let lease = leases.get(id);
    const now = clock();
    // After its own lease a request trusts the object's answer, even if the clocks disagree.
    const current = lease !== undefined && (refilled || now < lease.resetAt);
    if (lease && current) {
      if (lease.tokens > 0) {
        lease.tokens -= 1;
        return {
          allowed: true,
          remaining: Math.max(0, limit.limit - lease.used) + lease.tokens,
          retryAfterSeconds: 0,
        };
      }
      if (lease.used >= limit.limit && !lease.pending) {
        return {
          allowed: false,
          remaining: 0,
          retryAfterSeconds: Math.max(1, Math.ceil((lease.resetAt - now) / 1000)),
        };
      }
    }
    if (lease?.pending) {
      await lease.pending;
      continue;
    }
    if (!lease) {
      sweep(leases, now);
      lease = { tokens: 0, used: 0, resetAt: 0, pending: null };
      leases.set(id, lease);
    }
    const inFlight = refill(namespace, key, limit, lease);
    const settled = inFlight.finally(() => {
      if (lease.pending === settled) lease.pending = null;
    });
    lease.pending = settled;
    // A failed lease fails this request and every request waiting for it (a 500, as any DO failure).
    await settled;
    refilled = true;
  }
}
