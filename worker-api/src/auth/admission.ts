import type { Context } from "hono";
import { getConfig } from "../config";
import type { AppEnv, Env } from "../env";
import { RecentMap } from "../lib/recent-map";
import { blockSize, HitBlocks } from "../rate-limit/hit-blocks";
import { rateLimited } from "../rate-limit/limits";
import type { LimitDecision } from "../rate-limit/rate-limiter";
import { type Admission, userSessionsOf } from "./user-sessions";

/**
 * How much sooner than the object's lease this isolate stops trusting it: the lease is counted from
 * before the request was sent (so never later than the object counts it), and this covers clock
 * differences between the machine running this isolate and the one running the object.
 */
const LEASE_MARGIN_MS = 250;
/** Sessions remembered per isolate; past that the least recently used is asked about again. */
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
  /** The users' general-limit hits this isolate holds (and windows it knows are used up). */
  hits: HitBlocks;
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
    };
    views.set(env.USER_SESSIONS, view);
  }
  return view;
}

const sessionKey = (userId: string, sessionId: string) => `${userId}/${sessionId}`;

function leased(view: IsolateView, key: string, now: number): boolean {
  return (view.leases.get(key) ?? 0) > now;
}

/** Takes in the object's answer about a session (asked at `sentAt`). */
function remember(view: IsolateView, key: string, answer: Admission, sentAt: number): void {
  // Dead here already (this isolate revoked it while the object answered): no lease comes back.
  if (view.dead.has(key)) return;
  if (answer.live) view.leases.set(key, sentAt + answer.leaseMs - LEASE_MARGIN_MS);
  else {
    view.leases.delete(key);
    view.dead.set(key, true);
  }
}

/**
 * Counts a request with a verified access token against its user's general limit (spec §9: per
 * user), before anything else the route does: throws 429 RATE_LIMITED over the limit, sets
 * `ratelimit-remaining` otherwise. Every request with such a token counts, whatever the route —
 * but one whose session this isolate knows is dead is counted per IP instead (its callers check
 * `knownDeadHere` first), so a revoked token cannot spend its user's budget.
 *
 * From memory while this isolate holds a hit of the user's limit (and a lease on the session);
 * otherwise one call to the user's UserSessions object, which hands out a block of hits and, in the
 * same call, answers and leases the session — so the session check after it is answered from
 * memory too (`sessionLiveHere`).
 *
 * @example
 * await countSignedIn(c, claims.sub, claims.sid);
 */
export async function countSignedIn(c: Context<AppEnv>, userId: string, sessionId: string): Promise<void> {
  const view = viewOf(c.env);
  const limit = getConfig(c.env).general;
  const key = sessionKey(userId, sessionId);
  const sentAt = Date.now();
  // A hit held (or a window known used up) is spent here; the object is asked for what is missing.
  const held = view.hits.spend(userId, limit, sentAt);
  if (held && (!held.allowed || leased(view, key, sentAt) || view.dead.has(key))) {
    return apply(c, held);
  }
  const answer = await userSessionsOf(c.env, userId).admit(
    userId,
    sessionId,
    view.holder,
    held ? undefined : { limit, want: blockSize(limit.limit) },
  );
  remember(view, key, answer, sentAt);
  apply(c, held ?? view.hits.take(userId, limit, answer.grant, Date.now()));
}

function apply(c: Context<AppEnv>, decision: LimitDecision): void {
  if (!decision.allowed) throw rateLimited(decision);
  c.header("ratelimit-remaining", String(decision.remaining));
}

/**
 * Whether this isolate already knows the session is dead — answered without any I/O, so a route
 * that sends other work beside the session check (an ownedProject route's D1 read, a status
 * poll) refuses a revoked token before sending it.
 *
 * @example
 * if (knownDeadHere(c.env, claims.sub, claims.sid)) throw unauthenticated();
 */
export function knownDeadHere(env: Pick<Env, "USER_SESSIONS">, userId: string, sessionId: string): boolean {
  return viewOf(env).dead.has(sessionKey(userId, sessionId));
}

/**
 * Whether the auth session is live: from this isolate's lease on it (`SESSION_LEASE_MS` less
 * `LEASE_MARGIN_MS`, usually taken by `countSignedIn` for this very request), from what it knows
 * of dead sessions, or else by asking the user's UserSessions object (which leases the answer).
 * The route decides what a dead session answers (401 either way, with its own message).
 *
 * @example
 * if (!(await sessionLiveHere(c.env, claims.sub, claims.sid))) throw unauthenticated();
 */
export async function sessionLiveHere(
  env: Pick<Env, "USER_SESSIONS">,
  userId: string,
  sessionId: string,
): Promise<boolean> {
  const view = viewOf(env);
  const key = sessionKey(userId, sessionId);
  if (view.dead.has(key)) return false;
  const sentAt = Date.now();
  if (leased(view, key, sentAt)) return true;
  // No hits asked for: this request was counted already (or its route has no general limit).
  const answer = await userSessionsOf(env, userId).admit(userId, sessionId, view.holder);
  remember(view, key, answer, sentAt);
  return answer.live && !view.dead.has(key);
}

/**
 * Ends this isolate's trust in a session about to be revoked, and names this isolate to the
 * object, whose `revoke` then counts only the leases other isolates hold. If the revocation then
 * fails, this isolate keeps refusing the session: it fails closed.
 *
 * @example
 * const waitMs = await userSessionsOf(env, userId).revoke(sessionId, forgetSessionHere(env, userId, sessionId));
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
