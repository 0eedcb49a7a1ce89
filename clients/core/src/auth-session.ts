import { HiveSyncError } from "./errors";
import type { ClientEvents, Emitter } from "./events";
import type { SessionTokens, TokenStore } from "./token-store";

/**
 * Owns the token store on behalf of a client: reads the access token for each request and renews
 * it after a 401. Refresh tokens rotate on every use and a reused one revokes the whole session
 * (spec §3), so two refreshes racing with the same refresh token would sign the user out: all
 * concurrent 401s share one refresh (single flight).
 *
 * @example
 * const session = new AuthSession(new MemoryTokenStore(), events, (rt) => callRefreshEndpoint(rt));
 * const fresh = await session.renewAfter401(oldAccessToken); // null → signed out
 */
export class AuthSession {
  readonly #store: TokenStore;
  readonly #events: Emitter<ClientEvents>;
  readonly #refresh: (refreshToken: string) => Promise<SessionTokens>;
  #inflight: Promise<string | null> | null = null;
  // The refresh token most recently sent: never send it twice (a reuse would revoke the session).
  #spentRefreshToken: string | null = null;

  constructor(
    store: TokenStore,
    events: Emitter<ClientEvents>,
    refresh: (refreshToken: string) => Promise<SessionTokens>,
  ) {
    this.#store = store;
    this.#events = events;
    this.#refresh = refresh;
  }

  /** The current access token, or null when signed out. */
  async accessToken(): Promise<string | null> {
    return (await this.#store.get())?.access_token ?? null;
  }

  /** Stores new tokens (after sign-in, refresh or a device claim). */
  async save(tokens: SessionTokens): Promise<void> {
    await this.#store.set({ access_token: tokens.access_token, refresh_token: tokens.refresh_token });
    this.#events.emit("tokens-changed", { signedIn: true });
  }

  /** Forgets the tokens (after logout). */
  async clear(): Promise<void> {
    await this.#store.clear();
    this.#events.emit("tokens-changed", { signedIn: false });
  }

  /**
   * A usable access token after `usedToken` was refused with 401, or null when the session is
   * gone. When another call already renewed it, its token is returned without a new refresh.
   */
  async renewAfter401(usedToken: string): Promise<string | null> {
    if (this.#inflight) return this.#inflight;
    // Another process may share the store: decide and refresh under its lock, re-reading inside it.
    if (this.#store.exclusive) return this.#store.exclusive(() => this.#renew(usedToken));
    return this.#renew(usedToken);
  }

  async #renew(usedToken: string): Promise<string | null> {
    if (this.#inflight) return this.#inflight;
    const current = await this.#store.get();
    if (!current) return null;
    if (current.access_token !== usedToken) return current.access_token;
    if (this.#inflight) return this.#inflight;
    if (current.refresh_token === this.#spentRefreshToken) {
      // A refresh with this token already finished between our read and now; use its result.
      const latest = await this.#store.get();
      return latest && latest.access_token !== usedToken ? latest.access_token : null;
    }
    return this.refresh(current.refresh_token);
  }

  /**
   * Trades `refreshToken` for new tokens, once for all concurrent callers. A refusal (400/401)
   * clears the store and emits `session-expired`; other failures (network, 5xx) leave the tokens
   * alone, because the refresh token may well still be good, and are thrown.
   */
  refresh(refreshToken: string): Promise<string | null> {
    if (this.#inflight) return this.#inflight;
    this.#spentRefreshToken = refreshToken;
    const run = async (): Promise<string | null> => {
      try {
        const tokens = await this.#refresh(refreshToken);
        await this.save(tokens);
        return tokens.access_token;
      } catch (error) {
        if (error instanceof HiveSyncError && (error.status === 400 || error.status === 401)) {
          await this.#store.clear();
          this.#events.emit("tokens-changed", { signedIn: false });
          this.#events.emit("session-expired", { error });
          return null;
        }
        // Unknown whether the server saw it: allow a later attempt rather than stay stuck.
        this.#spentRefreshToken = null;
        throw error;
      }
    };
    const flight = run().finally(() => {
      if (this.#inflight === flight) this.#inflight = null;
    });
    this.#inflight = flight;
    return flight;
  }
}
