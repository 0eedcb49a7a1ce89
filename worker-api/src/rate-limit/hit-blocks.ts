import type { Limit } from "../config";
import { RecentMap } from "../lib/recent-map";
import type { LeaseGrant, LimitDecision } from "./rate-limiter";

/**
 * Hits of fixed-window limits held by this isolate: blocks of hits a Durable Object counted and
 * handed out (`LeaseGrant`), spent here from memory, so a limit costs one object call per block of
 * requests instead of one per request. Used by the general limit of anonymous callers
 * (`general.ts`, blocks from a `RateLimiter`) and of signed-in ones (`auth/admission.ts`, blocks
 * from the user's `UserSessions` object).
 *
 * - Never more than `limit` requests per window: every request spends a hit the object counted
 *   before handing it out, and the object hands out at most `limit` per window.
 * - Possibly fewer: hits an isolate holds but does not spend before the window ends are lost, so a
 *   caller served by several isolates may be refused up to (isolates − 1) × (block − 1) requests
 *   early, and a burst of n concurrent requests that find an isolate's hits spent brings n blocks
 *   into it (each asks for one: no request awaits another's — see `general.ts`). The block is 1/50
 *   of the limit, at most 25 (24 for 1,200/min: 2 % per extra isolate), and 1 for limits under
 *   100, where every request asks the object (exact, as the tests use).
 * - Fixed windows (`floor(now / window)`, on the object's clock), not sliding: a caller can make up
 *   to 2 × `limit` requests across a window boundary. For a limit against runaway clients that is
 *   fine; the security limits (login, code guesses) stay exact sliding windows (`limits.ts`).
 * - Once a window is used up, this isolate refuses the key without asking until the window ends,
 *   and `Retry-After` is the time to that end.
 */

const MAX_BLOCK = 25;

/** How many hits one grant asks for. */
export function blockSize(limit: number): number {
  return Math.max(1, Math.min(MAX_BLOCK, Math.floor(limit / 50)));
}

type Held = {
  /** Hits handed to this isolate and not spent yet. */
  tokens: number;
  /** Hits of the window the object had handed out (to every isolate) at the newest grant. */
  used: number;
  /** End of the window the tokens belong to (ms, the object's clock). */
  resetAt: number;
};

/** Keys held at most; past that the least recently used is forgotten (at worst: lost hits). */
const MAX_KEYS = 10_000;

export class HitBlocks {
  private readonly held = new RecentMap<string, Held>(MAX_KEYS);

  /** The limit is part of the entry: a caller checked against another limit has its own hits. */
  private static id(key: string, limit: Limit): string {
    return `${limit.limit}/${limit.windowSeconds}:${key}`;
  }

  /**
   * Spends a hit of `key` this isolate holds: the decision, or null when the object must be asked
   * (no hit held, and the window not known to be used up).
   */
  spend(key: string, limit: Limit, now: number): LimitDecision | null {
    const held = this.held.get(HitBlocks.id(key, limit));
    if (!held || now >= held.resetAt) return null;
    if (held.tokens > 0) {
      held.tokens -= 1;
      return {
        allowed: true,
        remaining: Math.max(0, limit.limit - held.used) + held.tokens,
        retryAfterSeconds: 0,
      };
    }
    return held.used >= limit.limit ? refusal(held.resetAt, now) : null;
  }

  /**
   * Takes in a grant the object just answered this request: the request spends one of its hits and
   * the rest join what the isolate holds. Hits of an earlier window are worthless in a new one, and
   * a late answer about an earlier window adds nothing. A grant of none still admits the request
   * when concurrent grants of this isolate brought hits meanwhile.
   */
  take(key: string, limit: Limit, grant: LeaseGrant, now: number): LimitDecision {
    const id = HitBlocks.id(key, limit);
    let held = this.held.get(id);
    if (!held) {
      held = { tokens: 0, used: 0, resetAt: 0 };
      this.held.set(id, held);
    }
    const extra = Math.max(0, grant.granted - 1);
    if (grant.resetAt > held.resetAt) {
      held.tokens = extra;
      held.used = grant.used;
      held.resetAt = grant.resetAt;
    } else if (grant.resetAt === held.resetAt) {
      held.tokens += extra;
      held.used = Math.max(held.used, grant.used);
    }
    if (grant.granted > 0) {
      return {
        allowed: true,
        remaining: Math.max(0, limit.limit - grant.used) + (grant.resetAt === held.resetAt ? held.tokens : 0),
        retryAfterSeconds: 0,
      };
    }
    if (held.resetAt === grant.resetAt && held.tokens > 0) {
      held.tokens -= 1;
      return { allowed: true, remaining: held.tokens, retryAfterSeconds: 0 };
    }
    // After its own grant a request trusts the object's answer, even if the clocks disagree.
    return refusal(grant.resetAt, now);
  }
}

function refusal(resetAt: number, now: number): LimitDecision {
  return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)) };
}

/**
 * The object side: hands out up to `want` hits of the current fixed window (`floor(now /
 * window)`) while fewer than `limit` have been handed out in it.
 */
export class FixedWindow {
  private window = { index: -1, ms: 0, used: 0 };

  constructor(initial?: { index: number; ms: number; used: number }) {
    if (initial) this.window = { ...initial };
  }

  /** The window's state, for an object that keeps it in storage. */
  get state(): { index: number; ms: number; used: number } {
    return { ...this.window };
  }

  grant({ limit, windowSeconds }: Limit, want: number, now: number = Date.now()): LeaseGrant {
    const ms = windowSeconds * 1000;
    const index = Math.floor(now / ms);
    if (this.window.index !== index || this.window.ms !== ms) this.window = { index, ms, used: 0 };
    const granted = Math.max(0, Math.min(want, limit - this.window.used));
    this.window.used += granted;
    return { granted, used: this.window.used, resetAt: (index + 1) * ms };
  }
}
