import { DurableObject } from "cloudflare:workers";
import type { Limit } from "../config";
import { database } from "../db";
import type { Env } from "../env";
import { ACCESS_TOKEN_TTL_SECONDS } from "../lib/access-tokens";
import { RecentMap } from "../lib/recent-map";
import type { LimitDecision } from "../rate-limit/rate-limiter";
import { isSessionLive } from "./session-store";

/** How long a revocation must be remembered: until every access token of the session has expired. */
const KEEP_MS = (ACCESS_TOKEN_TTL_SECONDS + 60) * 1000;
/** Live sessions remembered per user; beyond that the least recently checked is asked of D1 again. */
const MAX_LIVE = 256;

/** What `admit` answers a signed-in request. */
export type Admission = {
  /** This request against the user's general limit. */
  decision: LimitDecision;
  /** Whether the session is live; not asked (undefined) when the limit refused the request. */
  live?: boolean;
};

/**
 * One user's auth sessions as every request with an access token needs them (addressed by
 * `idFromName(userId)`): "is this session live?" answered from memory, so authentication costs one
 * Durable Object call near the user instead of a D1 query at the database's primary (spec §5,
 * docs/scale.md). D1 stays the record of sessions and what refresh checks.
 *
 * - Revocations are written here first (`revoke`, auth/sessions.ts), before D1, and kept in storage
 *   until no access token of the session can still be valid: an access token stops working before
 *   the revocation is even recorded in D1, and an evicted object still knows.
 * - A session this object has not seen is looked up in D1 once (`isSessionLive`: it must exist, be
 *   the user's and not be revoked — a validly signed token naming another user's session, or one
 *   that never existed, is refused) and remembered as live in memory only; losing that on eviction
 *   costs one D1 query, never a wrong answer.
 * - The user's general limit (spec §9) is counted here too (`admit`, `count`), in the same call as
 *   the session check, so a signed-in request pays no separate limiter call: an exact fixed-window
 *   counter (`floor(now / window)`), in memory only. An object is evicted only after a while
 *   without requests, so the count it forgets belongs to a caller that went quiet; a caller
 *   sending fast enough to reach the limit keeps its object, and its count, alive. The security
 *   limits (login, code guesses) are not this: they stay exact sliding windows kept in storage
 *   (rate-limit/rate-limiter.ts).
 */
export class UserSessions extends DurableObject<Env> {
  /** Session id → when it was revoked (ms); the same entries as storage. */
  private revoked = new Map<string, number>();
  /** Sessions D1 said were live. */
  private readonly live = new RecentMap<string, true>(MAX_LIVE);
  /** The general limit's current fixed window: its index, its length and the requests it counted. */
  private window = { index: -1, ms: 0, used: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      this.revoked = await ctx.storage.list<number>();
    });
  }

  /**
   * Whether `sessionId` is a live auth session of `userId` (this object's user). Answered without
   * an await when the object knows the session — the case of nearly every request.
   */
  isLive(userId: string, sessionId: string): boolean | Promise<boolean> {
    if (this.revoked.has(sessionId)) return false;
    if (this.live.get(sessionId)) return true;
    return this.lookUp(userId, sessionId);
  }

  /**
   * Counts one request of the user's general limit and, if it is allowed, says whether `sessionId`
   * is live: everything a signed-in request needs, in one call. A refused request is not looked up.
   */
  admit(userId: string, sessionId: string, limit: Limit): Admission | Promise<Admission> {
    const decision = this.count(limit);
    if (!decision.allowed) return { decision };
    const live = this.isLive(userId, sessionId);
    return typeof live === "boolean" ? { decision, live } : live.then((known) => ({ decision, live: known }));
  }

  /** Counts one request of the user's general limit (a signed-in call of a route without sign-in). */
  count({ limit, windowSeconds }: Limit): LimitDecision {
    const now = Date.now();
    const ms = windowSeconds * 1000;
    const index = Math.floor(now / ms);
    if (this.window.index !== index || this.window.ms !== ms) this.window = { index, ms, used: 0 };
    if (this.window.used >= limit) {
      const retryAfterSeconds = Math.max(1, Math.ceil(((index + 1) * ms - now) / 1000));
      return { allowed: false, remaining: 0, retryAfterSeconds };
    }
    this.window.used += 1;
    return { allowed: true, remaining: limit - this.window.used, retryAfterSeconds: 0 };
  }

  private async lookUp(userId: string, sessionId: string): Promise<boolean> {
    const live = await isSessionLive(database(this.env), userId, sessionId);
    // A revocation may have landed while D1 answered: it wins.
    if (!live || this.revoked.has(sessionId)) return false;
    this.live.set(sessionId, true);
    return true;
  }

  async revoke(sessionId: string): Promise<void> {
    const at = Date.now();
    await this.ctx.storage.put(sessionId, at);
    this.revoked.set(sessionId, at);
    this.live.delete(sessionId);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(at + KEEP_MS);
  }

  /**
   * Forgets revocations older than any access token could be (a token of such a session that still
   * came would be expired, and D1 says revoked).
   */
  override async alarm(): Promise<void> {
    const cutoff = Date.now() - KEEP_MS;
    const stale = [...this.revoked].filter(([, at]) => at <= cutoff).map(([key]) => key);
    if (stale.length > 0) await this.ctx.storage.delete(stale);
    for (const key of stale) this.revoked.delete(key);
    if (this.revoked.size > 0) await this.ctx.storage.setAlarm(Date.now() + KEEP_MS);
  }
}

/** The UserSessions object of `userId`. */
export function userSessionsOf(env: Pick<Env, "USER_SESSIONS">, userId: string) {
  return env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(userId));
}
