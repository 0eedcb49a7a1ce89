/**
 * A Map that holds at most `max` entries and forgets the least recently used one to make room:
 * the per-isolate memory caches (verified tokens, user profiles, sessions known live, refusals) are
 * bounded, so a stream of distinct keys costs a fixed amount of memory, never more.
 *
 * @example
 * const profiles = new RecentMap<string, User>(5_000);
 * profiles.set(user.id, user);
 * profiles.get(user.id); // the user, now the most recently used entry
 */
export class RecentMap<K, V> {
  // A Map iterates in insertion order: re-inserting on use keeps the least recent entry first.
  private readonly entries = new Map<K, V>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The value of `key` (and it becomes the most recently used), or undefined. */
  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** Stores `value` as the most recently used entry, forgetting the least recent one when full. */
  set(key: K, value: V): this {
    this.entries.delete(key);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, value);
    return this;
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }
}
