import { DurableObject } from "cloudflare:workers";

export type LimitDecision = { allowed: boolean; remaining: number; retryAfterSeconds: number };

/**
 * Exact sliding-window counter for one key (one object per key, addressed by `idFromName(key)`).
 * A Durable Object runs one request at a time, so two concurrent guesses can never both slip under
 * the limit — which isolate-memory counters cannot promise.
 */
export class RateLimiter extends DurableObject {
  /** Hit times in ms, oldest first; mirrored in SQLite so an evicted object keeps its counts. */
  private hits: number[] | null = null;

  private load(): number[] {
    if (!this.hits) {
      this.ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS hits (at INTEGER NOT NULL)");
      this.hits = this.ctx.storage.sql
        .exec<{ at: number }>("SELECT at FROM hits ORDER BY at")
        .toArray()
        .map((row) => row.at);
    }
    return this.hits;
  }

  private prune(windowMs: number, now: number): number[] {
    const hits = this.load();
    const cutoff = now - windowMs;
    let drop = 0;
    while (drop < hits.length && (hits[drop] ?? 0) <= cutoff) drop++;
    if (drop > 0) {
      hits.splice(0, drop);
      this.ctx.storage.sql.exec("DELETE FROM hits WHERE at <= ?", cutoff);
    }
    return hits;
  }

  private decide(hits: number[], limit: number, windowMs: number, now: number): LimitDecision {
    const allowed = hits.length < limit;
    // When blocked, the caller may retry once the oldest hit that keeps it over the limit leaves the window.
    const blocker = hits[hits.length - limit];
    const retryAfterSeconds =
      allowed || blocker === undefined ? 0 : Math.max(1, Math.ceil((blocker + windowMs - now) / 1000));
    return { allowed, remaining: Math.max(0, limit - hits.length), retryAfterSeconds };
  }

  /** Counts one hit if the key is under `limit` hits in the last `windowSeconds`; says whether it was. */
  async consume(limit: number, windowSeconds: number): Promise<LimitDecision> {
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    const hits = this.prune(windowMs, now);
    const decision = this.decide(hits, limit, windowMs, now);
    if (decision.allowed) {
      hits.push(now);
      this.ctx.storage.sql.exec("INSERT INTO hits (at) VALUES (?)", now);
      decision.remaining -= 1;
      await this.scheduleCleanup(now + windowMs);
    }
    return decision;
  }

  /** Takes back the newest hit: an attempt counted up front turned out not to be a failure. */
  async refund(): Promise<void> {
    const newest = this.load().pop();
    if (newest !== undefined) {
      this.ctx.storage.sql.exec(
        "DELETE FROM hits WHERE rowid = (SELECT rowid FROM hits WHERE at = ? LIMIT 1)",
        newest,
      );
    }
  }

  /** Whether one more hit would be allowed, without counting one. */
  peek(limit: number, windowSeconds: number): LimitDecision {
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    return this.decide(this.prune(windowMs, now), limit, windowMs, now);
  }

  /** Forgets every hit (e.g. failures after a successful login). */
  async reset(): Promise<void> {
    await this.ctx.storage.deleteAll();
    // deleteAll() drops the `hits` table too: forget the cache so the next call re-creates it.
    this.hits = null;
    this.alarmAt = null;
  }

  /** Health check hook: proves the namespace answers. */
  ping(): string {
    return "pong";
  }

  /** The alarm time this object last set (cached: reading it back costs a storage call per hit). */
  private alarmAt: number | null = null;

  private async scheduleCleanup(at: number): Promise<void> {
    if (this.alarmAt === null) this.alarmAt = await this.ctx.storage.getAlarm();
    // Push it a second past the window, so a busy key rewrites it at most about once a second.
    if (this.alarmAt === null || this.alarmAt < at) {
      this.alarmAt = at + 1000;
      await this.ctx.storage.setAlarm(this.alarmAt);
    }
  }

  /**
   * Every hit pushes the alarm to the end of its window, so when the alarm fires no hit is inside
   * the window any more: the key's storage can go, and idle keys cost nothing.
   */
  override async alarm(): Promise<void> {
    await this.reset();
  }
}
