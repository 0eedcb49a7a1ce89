import type { Limit } from "../config";
import type { Env } from "../env";
import { blockSize, HitBlocks } from "./hit-blocks";
import type { LimitDecision } from "./rate-limiter";

/**
 * The general limit of callers without a verified access token (spec §9: 1,200 requests a minute
 * per IP) at a fraction of a Durable Object call per request: a fixed-window counter in the key's
 * `RateLimiter` object that hands out blocks of requests (`lease`), spent here in isolate memory
 * (`hit-blocks.ts`: what that allows and costs). A signed-in caller's general limit is counted by
 * their session check instead (`auth/admission.ts`).
 */

type Namespace = Env["RATE_LIMITER"];

/** Per namespace binding (stable per isolate), so a test's wrapped binding starts empty. */
const blocksByNamespace = new WeakMap<Namespace, HitBlocks>();

function blocksOf(namespace: Namespace): HitBlocks {
  let blocks = blocksByNamespace.get(namespace);
  if (!blocks) {
    blocks = new HitBlocks();
    blocksByNamespace.set(namespace, blocks);
  }
  return blocks;
}

/**
 * Spends one request of `key`'s general limit; says whether it was allowed (never throws a 429).
 *
 * A request that finds no hit asks the object itself, even while another request of the key is
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
  const blocks = blocksOf(namespace);
  const held = blocks.spend(key, limit, clock());
  if (held) return held;
  const stub = namespace.get(namespace.idFromName(key));
  // A failed lease fails this request (a 500, as any Durable Object failure).
  const grant = await stub.lease(limit.limit, limit.windowSeconds, blockSize(limit.limit));
  return blocks.take(key, limit, grant, clock());
}
