import { DurableObject } from "cloudflare:workers";
import type { Limit } from "../config";
import { database } from "../db";
import type { Env } from "../env";
import { ACCESS_TOKEN_TTL_SECONDS } from "../lib/access-tokens";
import { RecentMap } from "../lib/recent-map";
import { FixedWindow } from "../rate-limit/hit-blocks";
import type { LeaseGrant } from "../rate-limit/rate-limiter";
import { isSessionLive, markSessionRevoked } from "./session-store";

/** How long a revocation must be remembered: until every access token of the session has expired. */
const KEEP_MS = (ACCESS_TOKEN_TTL_SECONDS + 60) * 1000;
/** Live sessions remembered per user; beyond that the least recently checked is asked of D1 again. */
const MAX_LIVE = 256;
/**
 * How long an isolate may take "this session is live" as still true without asking again (it
 * counts from before it asked, less a margin: `auth/admission.ts`). A revocation waits out the
 * leases other isolates hold, so this is also the longest a logout or device revocation can take.
 */
export const SESSION_LEASE_MS = 2_000;
/**
 * Storage key of the newest lease end this object handed out, at most about half a lease behind:
 * an object that restarted within a lease of its last grant cannot know which isolates still hold
 * one, so a revocation then waits until this time (not a session id: those never contain `~`).
 */
const HORIZON_KEY = "~lease-horizon";
/** Storage keys of revocations D1 has not confirmed yet: `~d1-pending:<session id>`. */
const PENDING_PREFIX = "~d1-pending:";
/** How soon the alarm tries again to record in D1 a revocation whose D1 write failed. */
const RETRY_MS = 30_000;

/** A revocation as D1 records it. */
type Revocation = { at: number; reason: string };

/** The grant of an `admit` that asked for no hits. */
const NO_HITS: LeaseGrant = { granted: 0, used: 0, resetAt: 0 };

/** What `admit` answers a signed-in request. */
export type Admission = {
  /** The hits of the user's general limit handed to the asking isolate (`NO_HITS` if it asked none). */
  grant: LeaseGrant;
  /** Whether the session is live. */
  live: boolean;
  /**
   * How long the asking isolate may treat a live session as live without asking (ms). Sent, not
   * imported by the isolate: during a deploy the object and the isolate can run different code.
   */
  leaseMs: number;
};

/**
 * One user's auth sessions as every request with an access token needs them (addressed by
 * `idFromName(userId)`): "is this session live?" answered from memory, so authentication costs at
 * most one Durable Object call near the user instead of a D1 query at the database's primary
 * (spec §5, docs/scale.md). D1 stays the record of sessions and what refresh checks.
 *
 * - Revocations are written here first (`revoke`, auth/sessions.ts), before D1, and kept in storage
 *   until no access token of the session can still be valid: an access token stops working before
 *   the revocation is even recorded in D1, and an evicted object still knows. Until the revoking
 *   Worker confirms the D1 write (`recorded`), the revocation is also kept as pending, and the
 *   alarm writes it to D1 itself: a revocation whose D1 write failed or was cut off is finished
 *   anyway, and is never forgotten before D1 has it (else refresh, which reads D1, would go on
 *   rotating the session, and after `KEEP_MS` the session would come back).
 * - A session this object has not seen is looked up in D1 once (`isSessionLive`: it must exist, be
 *   the user's and not be revoked — a validly signed token naming another user's session, or one
 *   that never existed, is refused) and remembered as live in memory only; losing that on eviction
 *   costs one D1 query, never a wrong answer.
 * - A live answer is a lease (`SESSION_LEASE_MS`): the isolate that asked admits the session's
 *   requests from memory until it ends. `revoke` records the revocation and says how long until
 *   every lease other isolates hold for the session has ended; `revokeSession` marks D1, then waits
 *   that out before it answers — so once a logout or a device revocation has answered, no isolate
 *   anywhere admits the session's tokens (spec: "stop working at once"), and in between only
 *   requests of the ≤ 2 s the revocation takes can pass. The isolate that revokes drops its own
 *   lease first, so a logout waits only when another isolate used the same session in the last
 *   lease. Leases are never forgotten before they end, so a second revocation of the same session
 *   waits as long as the first.
 * - The user's general limit (spec §9) is handed out here too, in the same call: blocks of a fixed
 *   window (`FixedWindow`, `rate-limit/hit-blocks.ts`) that the isolate spends from memory, in
 *   this object's memory only. An object is evicted only after a while without requests, so the
 *   count it forgets belongs to a caller that went quiet; a caller sending fast enough to reach
 *   the limit keeps its object, and its count, alive. The security limits (login, code guesses)
 *   are not this: they stay exact sliding windows kept in storage (rate-limit/rate-limiter.ts).
 */
export class UserSessions extends DurableObject<Env> {
  /** Session id → when it was revoked (ms); the same entries as storage. */
  private revoked = new Map<string, number>();
  /** Revocations D1 has not confirmed; the same entries as storage under `PENDING_PREFIX`. */
  private pending = new Map<string, Revocation>();
  /** Sessions D1 said were live. */
  private readonly live = new RecentMap<string, true>(MAX_LIVE);
  /**
   * Session id → isolate (holder id) → when the lease it was given ends (ms). Entries go only once
   * ended (`sweepLeases`), never to make room: a forgotten lease would let a revocation answer
   * early. Its size is the sessions used in the last lease.
   */
  private readonly leases = new Map<string, Map<string, number>>();
  /** The stored lease horizon: where it stands, and the value it had when this object started. */
  private horizon = { stored: 0, atStart: 0 };
  private readonly general = new FixedWindow();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      let horizon = 0;
      for (const [key, value] of await ctx.storage.list()) {
        if (key === HORIZON_KEY) horizon = value as number;
        else if (key.startsWith(PENDING_PREFIX))
          this.pending.set(key.slice(PENDING_PREFIX.length), value as Revocation);
        else this.revoked.set(key, value as number);
      }
      this.horizon = { stored: horizon, atStart: horizon };
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
   * Everything a signed-in request needs, in one call: whether `sessionId` is live and — if it is
   * — a lease on that answer for the asking isolate (`holder`), and, when it asks for them
   * (`hits`), up to `want` hits of the user's general limit.
   */
  admit(
    userId: string,
    sessionId: string,
    holder: string,
    hits?: { limit: Limit; want: number },
  ): Admission | Promise<Admission> {
    const grant = hits ? this.general.grant(hits.limit, hits.want) : NO_HITS;
    const answer = (live: boolean): Admission => {
      // A revocation may have landed while D1 answered: then no lease.
      const leased = live && !this.revoked.has(sessionId);
      if (leased) this.lend(sessionId, holder);
      return { grant, live: leased, leaseMs: SESSION_LEASE_MS };
    };
    const live = this.isLive(userId, sessionId);
    return typeof live === "boolean" ? answer(live) : live.then(answer);
  }

  private async lookUp(userId: string, sessionId: string): Promise<boolean> {
    const live = await isSessionLive(database(this.env), userId, sessionId);
    // A revocation may have landed while D1 answered: it wins.
    if (!live || this.revoked.has(sessionId)) return false;
    this.live.set(sessionId, true);
    return true;
  }

  private lend(sessionId: string, holder: string): void {
    const now = Date.now();
    const until = now + SESSION_LEASE_MS;
    if (this.leases.size > MAX_LIVE) this.sweepLeases(now);
    let holders = this.leases.get(sessionId);
    if (!holders) {
      holders = new Map();
      this.leases.set(sessionId, holders);
    }
    for (const [id, end] of holders) if (end <= now) holders.delete(id);
    holders.set(holder, until);
    // Written at most about twice a lease, half a lease ahead; not awaited: the output gate holds
    // this answer until the write is durable.
    if (until > this.horizon.stored) {
      this.horizon.stored = until + SESSION_LEASE_MS / 2;
      void this.ctx.storage.put(HORIZON_KEY, this.horizon.stored);
    }
  }

  private sweepLeases(now: number): void {
    for (const [sessionId, holders] of this.leases) {
      for (const [id, end] of holders) if (end <= now) holders.delete(id);
      if (holders.size === 0) this.leases.delete(sessionId);
    }
  }

  /**
   * Revokes `sessionId` (recorded in storage, as pending for D1, before it answers) and says how
   * long (ms) until no isolate but `holder` — the one revoking, which has dropped its own lease —
   * can still admit the session from a lease; for an object that started within a lease of its
   * previous life's last grant, until that lease horizon has passed. The caller writes D1, says so
   * (`recorded`), then waits that out (`revokeSession`).
   */
  async revoke(sessionId: string, holder?: string, reason = "revoked"): Promise<number> {
    const at = this.revoked.get(sessionId) ?? Date.now();
    const revocation = this.pending.get(sessionId) ?? { at, reason };
    await this.ctx.storage.put({ [sessionId]: at, [PENDING_PREFIX + sessionId]: revocation });
    this.revoked.set(sessionId, at);
    this.pending.set(sessionId, revocation);
    this.live.delete(sessionId);
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > Date.now() + RETRY_MS)
      await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
    let until = this.horizon.atStart;
    for (const [id, end] of this.leases.get(sessionId) ?? []) if (id !== holder) until = Math.max(until, end);
    return Math.max(0, until - Date.now());
  }

  /** D1 has recorded the revocation of `sessionId`: nothing is left for the alarm to write. */
  async recorded(sessionId: string): Promise<void> {
    if (!this.pending.delete(sessionId)) return;
    await this.ctx.storage.delete(PENDING_PREFIX + sessionId);
  }

  /**
   * Writes to D1 the revocations it has not confirmed (again in `RETRY_MS` for any that fail), and
   * forgets revocations older than any access token could be (a token of such a session that
   * still came would be expired, and D1 says revoked) — never one D1 does not have yet.
   */
  override async alarm(): Promise<void> {
    for (const [sessionId, { at, reason }] of [...this.pending]) {
      try {
        await markSessionRevoked(database(this.env), sessionId, { at: new Date(at).toISOString(), reason });
        await this.recorded(sessionId);
      } catch {
        // D1 still unavailable: kept, and tried again below.
      }
    }
    const cutoff = Date.now() - KEEP_MS;
    const stale = [...this.revoked]
      .filter(([key, at]) => at <= cutoff && !this.pending.has(key))
      .map(([key]) => key);
    if (stale.length > 0) await this.ctx.storage.delete(stale);
    for (const key of stale) this.revoked.delete(key);
    if (this.pending.size > 0) await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
    else if (this.revoked.size > 0) await this.ctx.storage.setAlarm(Date.now() + KEEP_MS);
  }
}

/** The UserSessions object of `userId`. */
export function userSessionsOf(env: Pick<Env, "USER_SESSIONS">, userId: string) {
  return env.USER_SESSIONS.get(env.USER_SESSIONS.idFromName(userId));
}
