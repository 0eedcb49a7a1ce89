import type { HiveSyncError } from "./errors";

/** What `session-expired` carries: the refresh failure that ended the session. */
export type SessionExpiredEvent = { error: HiveSyncError };

/** The events a {@link HiveSyncClient} emits. */
export type ClientEvents = {
  /** The refresh token was refused; the token store has been cleared: ask the user to sign in. */
  "session-expired": SessionExpiredEvent;
  /** Tokens were stored (sign-in, refresh, device claim) or cleared (logout, expiry). */
  "tokens-changed": { signedIn: boolean };
};

/**
 * A tiny typed listener list. A throwing listener cannot break the request that emitted the
 * event: its error is swallowed.
 *
 * @example
 * const events = new Emitter<{ ping: number }>();
 * const off = events.on("ping", (n) => console.log(n));
 * events.emit("ping", 1);
 * off();
 */
export class Emitter<Events extends Record<string, unknown>> {
  readonly #listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): void {
    this.#listeners.get(event)?.delete(listener as (payload: never) => void);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      try {
        (listener as (payload: Events[K]) => void)(payload);
      } catch {
        // Listeners are UI code; their bugs must not turn into request failures.
      }
    }
  }
}
