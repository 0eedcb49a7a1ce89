import { DurableObject } from "cloudflare:workers";
import { database } from "../db";
import type { Env } from "../env";
import { ACCESS_TOKEN_TTL_SECONDS } from "../lib/access-tokens";
import { isSessionLive } from "./session-store";

/** How long a revocation must be remembered: until every access token of the session has expired. */
const KEEP_MS = (ACCESS_TOKEN_TTL_SECONDS + 60) * 1000;
/** Live sessions remembered per user; beyond that the least recently checked is asked of D1 again. */
const MAX_LIVE = 256;

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
 */
export class UserSessions extends DurableObject<Env> {
  /** Session id → when it was revoked (ms); the same entries as storage. */
  private revoked = new Map<string, number>();
  /** Sessions D1 said were live, least recently checked first. */
  private live = new Set<string>();

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
    if (this.live.has(sessionId)) {
      this.live.delete(sessionId);
      this.live.add(sessionId);
      return true;
    }
    return this.lookUp(userId, sessionId);
  }

  private async lookUp(userId: string, sessionId: string): Promise<boolean> {
    const live = await isSessionLive(database(this.env), userId, sessionId);
    // A revocation may have landed while D1 answered: it wins.
    if (!live || this.revoked.has(sessionId)) return false;
    if (this.live.size >= MAX_LIVE) this.live.delete(this.live.values().next().value as string);
    this.live.add(sessionId);
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

/** Whether auth session `sessionId` of `userId` is live (one Durable Object call). */
export function isAuthSessionLive(
  env: Pick<Env, "USER_SESSIONS">,
  userId: string,
  sessionId: string,
): Promise<boolean> {
  return userSessionsOf(env, userId).isLive(userId, sessionId);
}
