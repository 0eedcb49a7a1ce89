import type { Context } from "hono";
import { getConfig, type Limit } from "../config";
import type { AppEnv } from "../env";
import { RecentMap } from "../lib/recent-map";
import { rateLimited } from "../rate-limit/limits";
import type { LimitDecision } from "../rate-limit/rate-limiter";
import { userSessionsOf } from "./user-sessions";

/**
 * Users this isolate has seen refused by the general limit, with the end of the refusing window
 * (ms): until then their requests are refused here, without a Durable Object call — and without
 * the D1 read an ownedProject route sends beside it. Bounded; a forgotten refusal is asked again.
 */
const refusedUntil = new RecentMap<string, number>(10_000);

function refusalKey(userId: string, { limit, windowSeconds }: Limit): string {
  return `${limit}/${windowSeconds}:${userId}`;
}

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
    refusedUntil.set(refusalKey(userId, limit), Date.now() + decision.retryAfterSeconds * 1000);
    throw rateLimited(decision);
  }
  c.header("ratelimit-remaining", String(decision.remaining));
}

/**
 * A signed-in request's one call to its user's UserSessions object: counts it against the user's
 * general limit (throws 429 RATE_LIMITED over it) and says whether its auth session is live. The
 * route decides what a dead session answers (401 either way, with its own message).
 *
 * @example
 * if (!(await admitSignedIn(c, claims.sub, claims.sid))) throw unauthenticated();
 */
export async function admitSignedIn(c: Context<AppEnv>, userId: string, sessionId: string): Promise<boolean> {
  throwIfRefusedHere(c, userId);
  const limit = getConfig(c.env).general;
  const { decision, live } = await userSessionsOf(c.env, userId).admit(userId, sessionId, limit);
  apply(c, userId, limit, decision);
  return live === true;
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
  const limit = getConfig(c.env).general;
  apply(c, userId, limit, await userSessionsOf(c.env, userId).count(limit));
}
