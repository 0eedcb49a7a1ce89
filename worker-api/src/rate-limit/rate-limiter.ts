import { DurableObject } from "cloudflare:workers";
import { FixedWindow } from "./hit-blocks";

export type LimitDecision = { allowed: boolean; remaining: number; retryAfterSeconds: number };

/** What `lease` hands out: `granted` hits of the fixed window ending at `resetAt`, `used` of it in all. */
export type LeaseGrant = { granted: number; used: number; resetAt: number };

/**
 * Hits close together in time, kept as one counter: `count` hits, the first at `first`, the newest
 * at `last` (ms). The bucket counts until `last` leaves the window, so each of its hits counts for
 * at least the whole window — never less — and at most one bucket width longer.
 */
type Bucket = { first: number; count: number; last: number };

/** A sliding window is kept as at most about this many buckets (one per 1/60 of the window). */
const BUCKETS_PER_WINDOW = 60;
const MIN_BUCKET_MS = 1000;

/** How far apart two hits may be and still share a bucket: 1 s for a minute, 10 s for 10 minutes. */
export function bucketWidthMs(windowMs: number): number {
  return Math.max(MIN_BUCKET_MS, Math.floor(windowMs / BUCKETS_PER_WINDOW));
}

/**
 * One key's limits (one object per key, addressed by `idFromName(key)`), in two kinds:
 *
 * - `consume` / `refund` / `peek` / `reset`: an exact sliding-window counter for the security
 *   limits. A Durable Object runs one request at a time, so two concurrent guesses can never both
 *   slip under the limit — which isolate-memory counters cannot promise. Hits are stored as
 *   per-bucket counters (one SQLite row per bucket, a bucket being 1/60 of the window, ≥ 1 s), not a
 *   row per hit: a hit is written as one row update, and expired buckets are deleted one row each.
 * - `lease`: a fixed-window counter that hands out blocks of hits, for the general limit
 *   (`general.ts`): one row per key, written once per block.
 */
export class RateLimiter extends DurableObject {
  /** The sliding window's buckets, oldest first; mirrored in SQLite so an evicted object keeps its counts. */
  private buckets: Bucket[] | null = null;
  /** The fixed window of `lease`, mirrored in SQLite. */
  private fixed: FixedWindow | null = null;

  private load(): Bucket[] {
    if (!this.buckets) {
      const sql = this.ctx.storage.sql;
      sql.exec(
        "CREATE TABLE IF NOT EXISTS buckets (first INTEGER PRIMARY KEY, count INTEGER NOT NULL, last INTEGER NOT NULL)",
      );
      this.migrateHitRows();
      this.buckets = sql
        .exec<Bucket>("SELECT first, count, last FROM buckets ORDER BY first")
        .toArray()
        .map((row) => ({ first: row.first, count: row.count, last: row.last }));
    }
    return this.buckets;
  }

  /**
   * Objects written before buckets kept one `hits` row per hit: fold them into buckets once (one
   * bucket holding them all, counting until the newest leaves the window — never shorter), so a
   * deploy does not forgive anyone's failures.
   */
  private migrateHitRows(): void {
    const sql = this.ctx.storage.sql;
    const table = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'hits'").toArray();
    if (table.length === 0) return;
    const row = sql
      .exec<{ n: number; first: number | null; last: number | null }>(
        "SELECT COUNT(*) AS n, MIN(at) AS first, MAX(at) AS last FROM hits",
      )
      .one();
    if (row.n > 0 && row.first !== null && row.last !== null) {
      sql.exec(
        "INSERT OR REPLACE INTO buckets (first, count, last) VALUES (?, ?, ?)",
        row.first,
        row.n,
        row.last,
      );
    }
    sql.exec("DROP TABLE hits");
  }

  private prune(windowMs: number, now: number): Bucket[] {
    const buckets = this.load();
    const cutoff = now - windowMs;
    let drop = 0;
    // `last` grows with `first`, so expired buckets are a prefix.
    while (drop < buckets.length && (buckets[drop]?.last ?? 0) <= cutoff) drop++;
    if (drop > 0) {
      const newestDropped = buckets[drop - 1]?.first ?? 0;
      buckets.splice(0, drop);
      this.ctx.storage.sql.exec("DELETE FROM buckets WHERE first <= ?", newestDropped);
    }
    return buckets;
  }

  private decide(buckets: Bucket[], limit: number, windowMs: number, now: number): LimitDecision {
    let count = 0;
    for (const bucket of buckets) count += bucket.count;
    const allowed = count < limit;
    let retryAfterSeconds = 0;
    if (!allowed) {
      // The caller may retry once enough of the oldest buckets have left the window to get under the limit.
      let freed = 0;
      for (const bucket of buckets) {
        freed += bucket.count;
        if (count - freed < limit) {
          retryAfterSeconds = Math.max(1, Math.ceil((bucket.last + windowMs - now) / 1000));
          break;
        }
      }
    }
    return { allowed, remaining: Math.max(0, limit - count), retryAfterSeconds };
  }

  private save(bucket: Bucket): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO buckets (first, count, last) VALUES (?, ?, ?) ON CONFLICT (first) DO UPDATE SET count = excluded.count, last = excluded.last",
      bucket.first,
      bucket.count,
      bucket.last,
    );
  }

  /** Counts one hit if the key is under `limit` hits in the last `windowSeconds`; says whether it was. */
  async consume(limit: number, windowSeconds: number): Promise<LimitDecision> {
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    const buckets = this.prune(windowMs, now);
    const decision = this.decide(buckets, limit, windowMs, now);
    if (decision.allowed) {
      const newest = buckets[buckets.length - 1];
      let bucket: Bucket;
      if (newest && now - newest.first < bucketWidthMs(windowMs)) {
        bucket = newest;
        bucket.count += 1;
        bucket.last = Math.max(bucket.last, now);
      } else {
        bucket = { first: now, count: 1, last: now };
        buckets.push(bucket);
      }
      this.save(bucket);
      decision.remaining -= 1;
      await this.scheduleCleanup(now + windowMs);
    }
    return decision;
  }

  /**
   * Counts `member` (a wrong code, say) like `consume`, but only the first time in the window: the
   * same member again is answered as allowed without a count. A typo typed by many phones, or
   * retried, is one guess; every distinct one counts, exactly as `consume` does.
   */
  async consumeDistinct(limit: number, windowSeconds: number, member: string): Promise<LimitDecision> {
    const sql = this.ctx.storage.sql;
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    sql.exec("CREATE TABLE IF NOT EXISTS members (member TEXT PRIMARY KEY, at INTEGER NOT NULL)");
    sql.exec("DELETE FROM members WHERE at <= ?", now - windowMs);
    const seen = sql.exec("SELECT 1 FROM members WHERE member = ?", member).toArray().length > 0;
    if (seen) return { ...this.peek(limit, windowSeconds), allowed: true };
    const decision = await this.consume(limit, windowSeconds);
    if (decision.allowed) sql.exec("INSERT INTO members (member, at) VALUES (?, ?)", member, now);
    return decision;
  }

  /**
   * Takes back the newest hit: an attempt counted up front turned out not to be a failure. Its
   * bucket keeps its `last`, so the bucket's other hits may count up to one bucket width longer.
   */
  async refund(): Promise<void> {
    const buckets = this.load();
    const newest = buckets[buckets.length - 1];
    if (!newest) return;
    newest.count -= 1;
    if (newest.count > 0) {
      this.save(newest);
    } else {
      buckets.pop();
      this.ctx.storage.sql.exec("DELETE FROM buckets WHERE first = ?", newest.first);
    }
  }

  /** Whether one more hit would be allowed, without counting one. */
  peek(limit: number, windowSeconds: number): LimitDecision {
    const now = Date.now();
    const windowMs = windowSeconds * 1000;
    return this.decide(this.prune(windowMs, now), limit, windowMs, now);
  }

  /**
   * Hands out up to `want` hits of the current fixed window (`floor(now / window)`) while fewer than
   * `limit` have been handed out in it. The caller spends them without asking again (general.ts).
   */
  async lease(limit: number, windowSeconds: number, want: number): Promise<LeaseGrant> {
    const sql = this.ctx.storage.sql;
    if (!this.fixed) {
      sql.exec(
        "CREATE TABLE IF NOT EXISTS fixed_window (id INTEGER PRIMARY KEY CHECK (id = 1), window INTEGER NOT NULL, window_ms INTEGER NOT NULL, used INTEGER NOT NULL)",
      );
      const row = sql
        .exec<{ window: number; window_ms: number; used: number }>(
          "SELECT window, window_ms, used FROM fixed_window WHERE id = 1",
        )
        .toArray()[0];
      this.fixed = new FixedWindow(row && { index: row.window, ms: row.window_ms, used: row.used });
    }
    const grant = this.fixed.grant({ limit, windowSeconds }, want);
    if (grant.granted > 0) {
      const { index, ms, used } = this.fixed.state;
      sql.exec(
        "INSERT OR REPLACE INTO fixed_window (id, window, window_ms, used) VALUES (1, ?, ?, ?)",
        index,
        ms,
        used,
      );
      await this.scheduleCleanup(grant.resetAt);
    }
    return grant;
  }

  /** Forgets every hit (e.g. failures after a successful login). */
  async reset(): Promise<void> {
    await this.ctx.storage.deleteAll();
    // deleteAll() drops the tables too: forget the caches so the next call re-creates them.
    this.buckets = null;
    this.fixed = null;
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
