/** The two tokens a client keeps between calls (and, with a persistent store, between runs). */
export type SessionTokens = { access_token: string; refresh_token: string };

type MaybePromise<T> = T | Promise<T>;

/**
 * Where a client keeps its tokens. Implement it over a file (CLI), the keychain (desktop app) or
 * secure storage (phone); methods may be sync or async.
 *
 * @example
 * const fileStore: TokenStore = {
 *   get: async () => JSON.parse(await readFile(path, "utf8")),
 *   set: (tokens) => writeFile(path, JSON.stringify(tokens), { mode: 0o600 }),
 *   clear: () => rm(path, { force: true }),
 * };
 */
export interface TokenStore {
  get(): MaybePromise<SessionTokens | null>;
  set(tokens: SessionTokens): MaybePromise<void>;
  clear(): MaybePromise<void>;
  /**
   * Optional: runs `fn` while holding a lock shared by every process using this store, so two
   * processes never refresh with the same refresh token (the server would take the second as theft
   * and revoke the session). Stores shared across processes (a file) should implement it.
   */
  exclusive?<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * The default {@link TokenStore}: tokens live as long as the process (a test, a browser tab).
 *
 * @example
 * const client = new HiveSyncClient({ baseUrl, tokenStore: new MemoryTokenStore() });
 */
export class MemoryTokenStore implements TokenStore {
  #tokens: SessionTokens | null;

  constructor(initial: SessionTokens | null = null) {
    this.#tokens = initial ? { ...initial } : null;
  }

  get(): SessionTokens | null {
    return this.#tokens ? { ...this.#tokens } : null;
  }

  set(tokens: SessionTokens): void {
    this.#tokens = { access_token: tokens.access_token, refresh_token: tokens.refresh_token };
  }

  clear(): void {
    this.#tokens = null;
  }
}
