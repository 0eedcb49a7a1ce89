// A preview's app runs in a frame on an origin of its own, which browsers count as third-party
// under the shell: where third-party storage is blocked (a private window, Brave, "block
// third-party cookies"), reading `localStorage` throws a SecurityError and an app that reads it at
// start-up never draws. There the app gets an in-memory Storage for the page's life instead — what
// a private window gives a site — so it runs, and its storage lasts until the page reloads.

/** `Storage` kept in memory: the Web Storage interface, string keys and values. */
class MemoryStorage implements Storage {
  readonly #items = new Map<string, string>();
  [name: string]: unknown;

  get length(): number {
    return this.#items.size;
  }
  key(index: number): string | null {
    return [...this.#items.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.#items.get(String(key)) ?? null;
  }
  setItem(key: string, value: string): void {
    this.#items.set(String(key), String(value));
  }
  removeItem(key: string): void {
    this.#items.delete(String(key));
  }
  clear(): void {
    this.#items.clear();
  }
}

/**
 * Gives the page an in-memory `localStorage`/`sessionStorage` where the browser refuses it the
 * real one; returns the names it replaced (none where storage works).
 *
 * @example
 * ensureStorage(); // ["localStorage", "sessionStorage"] in a private window's frame
 */
export function ensureStorage(): string[] {
  const replaced: string[] = [];
  for (const name of ["localStorage", "sessionStorage"] as const) {
    try {
      void window[name].length;
      continue;
    } catch {
      // Refused: replaced below.
    }
    try {
      Object.defineProperty(window, name, {
        configurable: true,
        enumerable: true,
        value: new MemoryStorage(),
      });
      replaced.push(name);
    } catch {
      // A browser that will not let it be redefined keeps its error.
    }
  }
  return replaced;
}
