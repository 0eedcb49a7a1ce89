import type { Context } from "hono";
import { getConfig, type Limit } from "../config";
import type { AppEnv, Env } from "../env";
import { RecentMap } from "../lib/recent-map";
import { blockSize, HitBlocks } from "../rate-limit/hit-blocks";
import { rateLimited } from "../rate-limit/limits";
import type { LimitDecision } from "../rate-limit/rate-limiter";
import { userSessionsOf } from "./user-sessions";

/**
 * How much sooner than the object's lease this isolate stops trusting it: the lease is counted from
 * before the request was sent (so never later than the object counts it), and this covers clock
 * differences between the machine running this isolate and the one running the object.
 */
const LEASE_MARGIN_MS = 250;
/** Sessions and users remembered per isolate; past that the least recently used is asked again. */
const MAX_REMEMBERED = 10_000;

/**
 * What one isolate knows about signed-in callers, from their UserSessions objects. Kept per
 * USER_SESSIONS binding (one per isolate in production; a test's wrapped binding is an isolate
 * of its own). `holder` names this isolate to the objects, so a revocation here does not wait for
 * this isolate's own lease.
 */
type IsolateView = {
  holder: string;
  /** `userId/sessionId` → until when the session may be admitted without asking (ms, this clock). */
  leases: RecentMap<string, number>;
  /** Sessions an object said are not live (revoked, or never this user's): they never come back. */
  dead: RecentMap<string, true>;
  /** The users' general-limit hits this isolate holds. */
  hits: HitBlocks;
  /** `limit:userId` → end of a window the user was refused in (ms). */
  refusedUntil: RecentMap<string, number>;
};

const views = new WeakMap<Env["USER_SESSIONS"], IsolateView>();

function viewOf(env: Pick<Env, "USER_SESSIONS">): IsolateView {
  let view = views.get(env.USER_SESSIONS);
  if (!view) {
    view = {
      // Made on first use, inside a request (random values are not for the global scope).
      holder: crypto.randomUUID(),
      leases: new RecentMap(MAX_REMEMBERED),
      dead: new RecentMap(MAX_REMEMBERED),
      hits: new HitBlocks(),
      refusedUntil: new RecentMap(MAX_REMEMBERED),
    };
    views.set(env.USER_SESSIONS, view);
  }
  return view;
}

const sessionKey = (userId: string, sessionId: string) => `${userId}/${sessionId}`;
const refusalKey = (userId: string, { limit, windowSeconds }: Limit) => `${limit}/${windowSeconds}:${userId}`;

/**
 * Throws the 429 of a user this isolate knows is over the general limit for the rest of a window;
 * `admitSignedIn` starts with it. A route that sends other work beside the admission (an
 * ownedProject route's D1 read) calls it first, so a refused caller costs that work nothing.
 *
 * @example
 * throwIfRefusedHere(c, claims.sub);
 * const [live, project] = await Promise.all([admitSignedIn(c, claims.sub, claims.sid), findProject()]);
 */
export function throwIfRefusedHere(c: Context<AppEnv>, userId: string): void {
  const { refusedUntil } = viewOf(c.env);
  const key = refusalKey(userId, getConfig(c.env).general);
  const until = refusedUntil.get(key);
  if (until === undefined) return;
  const now = Date.now();
  if (now >= until) {
    refusedUntil.delete(key);
    return;
  }
  throw rateLimited({
    allowed: false,
    remaining: 0,
    retryAfterSeconds: Math.max(1, Math.ceil((until - now) / 1000)),
  });
}

/** Answers the request's part of a limit decision: the 429 when refused, `ratelimit-remaining` when not. */
function apply(c: Context<AppEnv>, userId: string, limit: Limit, decision: LimitDecision): void {
  if (!decision.allowed) {
    viewOf(c.env).refusedUntil.set(refusalKey(userId, limit), Date.now() + decision.retryAfterSeconds * 1000);
    throw rateLimited(decision);
  }
  c.header("ratelimit-remaining", String(decision.remaining));
}

/**
 * Admits a signed-in request: counts it against the user's general limit (throws 429
 * RATE_LIMITED over it) and says whether its auth session is live. The route decides what a dead
 * session answers (401 either way, with its own message).
 *
 * From memory while this isolate holds both a lease on the session (`SESSION_LEASE_MS`, less
 * `LEASE_MARGIN_MS`) and a hit of the user's limit; otherwise one call to the user's
 * UserSessions object, which answers both and hands out a new lease and block of hits. A session
 * the object said is dead is refused from memory.
 *
 * @example
 * if (!(await admitSignedIn(c, claims.sub, claims.sid))) throw unauthenticated();
 */
export async function admitSignedIn(c: Context<AppEnv>, userId: string, sessionId: string): Promise<boolean> {
  throwIfRefusedHere(c, userId);
  const view = viewOf(c.env);
  const key = sessionKey(userId, sessionId);
  if (view.dead.has(key)) return false;
  const limit = getConfig(c.env).general;
  const sentAt = Date.now();
  if ((view.leases.get(key) ?? 0) > sentAt) {
    const held = view.hits.spend(userId, limit, sentAt);
    if (held) {
      apply(c, userId, limit, held);
      return true;
    }
  }
  const answer = await userSessionsOf(c.env, userId).admit(
    userId,
    sessionId,
    limit,
    blockSize(limit.limit),
    view.holder,
  );
  // A revocation by this isolate while the object answered: its lease must not come back.
  if (view.dead.has(key)) return false;
  if (answer.live) view.leases.set(key, sentAt + answer.leaseMs - LEASE_MARGIN_MS);
  else {
    view.leases.delete(key);
    view.dead.set(key, true);
  }
  apply(c, userId, limit, view.hits.take(userId, limit, answer.grant, Date.now()));
  return answer.live;
}

/**
 * Counts a request with a verified access token against its user's general limit, on a route that
 * does not need the session (throws 429 RATE_LIMITED over the limit).
 *
 * @example
 * await countSignedIn(c, claims.sub);
 */
export async function countSignedIn(c: Context<AppEnv>, userId: string): Promise<void> {
  throwIfRefusedHere(c, userId);
  const view = viewOf(c.env);
  const limit = getConfig(c.env).general;
  const held = view.hits.spend(userId, limit, Date.now());
  const decision =
    held ??
    view.hits.take(
      userId,
      limit,
      await userSessionsOf(c.env, userId).count(limit, blockSize(limit.limit)),
      Date.now(),
    );
  apply(c, userId, limit, decision);
}

/**
 * Ends this isolate's trust in a session about to be revoked, and names this isolate to the
 * object, whose `revoke` then waits only for the leases other isolates hold.
 *
 * @example
 * await userSessionsOf(env, userId).revoke(sessionId, forgetSessionHere(env, userId, sessionId));
 */
export function forgetSessionHere(
  env: Pick<Env, "USER_SESSIONS">,
  userId: string,
  sessionId: string,
): string {
  const view = viewOf(env);
  const key = sessionKey(userId, sessionId);
  view.leases.delete(key);
  view.dead.set(key, true);
  return view.holder;
}
