import type { z } from "zod";
import { abortError } from "./abort";
import { AuthSession } from "./auth-session";
import { HiveSyncError } from "./errors";
import { type ClientEvents, Emitter } from "./events";
import { newIdempotencyKey } from "./idempotency";
import { DEFAULT_RETRY, type RetryOptions, withRetry } from "./retry";
import { TokensResponse } from "./schemas";
import { MemoryTokenStore, type TokenStore } from "./token-store";
import { apiRoots, buildUrl, type QueryValue } from "./url";
import { readJson } from "./validate";

/** The `fetch` a client calls: the global one by default, any compatible function in tests. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * Which bearer token a request carries: the signed-in user's (`"user"`, refreshed on 401), none
 * (`"none"`: register, login, claim, resolve), or a fixed one such as a preview-scoped `pvt_…`
 * token (never refreshed).
 */
export type RequestAuth = "user" | "none" | { bearer: string };

/** Options every client method accepts. */
export type CallOptions = {
  /** Cancels the call, its retries and their waits. */
  signal?: AbortSignal;
  /** Overrides the client's retry policy for this call; `false` makes exactly one attempt. */
  retry?: Partial<RetryOptions> | false;
  /** For creating POSTs: your own Idempotency-Key instead of a fresh random one. */
  idempotencyKey?: string;
};

/** One API call as {@link Transport.request} takes it. */
export type RequestSpec = {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path under `/api/v1` (or under the origin with `root: true`), e.g. `/projects`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** A JSON body (serialised here, with `content-type: application/json`). */
  json?: unknown;
  /** A raw body; it must be re-sendable, since retries send it again. */
  body?: Uint8Array | ArrayBuffer | Blob | string;
  headers?: Record<string, string>;
  auth?: RequestAuth;
  /** `true`: send a fresh random Idempotency-Key, the same one on every retry of this call. */
  idempotencyKey?: string | true;
  /** Non-2xx statuses that are answers, not errors (e.g. 304). */
  acceptStatus?: readonly number[];
  /** Whether a 401 may trigger a token refresh (default true; logout turns it off). */
  refreshOn401?: boolean;
  /** The path is under the server origin rather than `/api/v1` (`/health`). */
  root?: boolean;
  signal?: AbortSignal;
  retry?: Partial<RetryOptions> | false;
};

/** How to build a {@link Transport} (and so a client). */
export type TransportOptions = {
  /** The server, e.g. `http://localhost:8787` (a trailing `/api/v1` is accepted too). */
  baseUrl: string;
  fetch?: FetchLike;
  tokenStore?: TokenStore;
  retry?: Partial<RetryOptions>;
  /** Extra headers sent on every request (e.g. a user agent where the platform allows one). */
  headers?: Record<string, string>;
};

/**
 * The HTTP layer under every typed method: URL building, bearer tokens, refresh on 401, retries,
 * Idempotency-Key and error decoding. Use it directly for a call the typed API lacks.
 *
 * @example
 * const transport = new Transport({ baseUrl: "http://localhost:8787" });
 * const health = await transport.request(
 *   { method: "GET", path: "/health", root: true, auth: "none" },
 *   (res) => res.json(),
 * );
 */
export class Transport {
  readonly origin: string;
  readonly apiRoot: string;
  readonly tokenStore: TokenStore;
  readonly events = new Emitter<ClientEvents>();
  readonly session: AuthSession;
  readonly #fetch: FetchLike;
  readonly #retry: RetryOptions;
  readonly #headers: Record<string, string>;

  constructor(options: TransportOptions) {
    const roots = apiRoots(options.baseUrl);
    this.origin = roots.origin;
    this.apiRoot = roots.api;
    this.tokenStore = options.tokenStore ?? new MemoryTokenStore();
    const fetchImpl = options.fetch;
    // Calling the global fetch detached from globalThis throws "Illegal invocation" in browsers.
    this.#fetch = fetchImpl ? (input, init) => fetchImpl(input, init) : (input, init) => fetch(input, init);
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#headers = { ...options.headers };
    this.session = new AuthSession(this.tokenStore, this.events, async (refreshToken) => {
      const body = await this.request(
        {
          method: "POST",
          path: "/auth/refresh",
          json: { refresh_token: refreshToken },
          auth: "none",
          // Refresh tokens rotate: resending one the server may already have used would revoke the session.
          retry: false,
        },
        (res) => readJson(res, TokensResponse),
      );
      return body.tokens;
    });
  }

  /**
   * Sends `spec` (retrying per policy, refreshing on 401) and hands the successful response to
   * `read`. `read` runs inside the retry loop, so a body cut off while being read is retried like
   * any other network failure.
   *
   * @example
   * const project = await transport.request({ method: "GET", path: `/projects/${id}` }, (res) =>
   *   readJson(res, Project),
   * );
   */
  async request<T>(spec: RequestSpec, read: (res: Response) => Promise<T>): Promise<T> {
    // One key per call, fixed before the first attempt: a retry must look like the same request.
    const key = spec.idempotencyKey === true ? newIdempotencyKey() : spec.idempotencyKey;
    const retry = spec.retry === false ? { maxAttempts: 1 } : spec.retry;
    return withRetry(
      async () => {
        const res = await this.#authorizedAttempt(spec, key);
        try {
          return await read(res);
        } catch (error) {
          if (error instanceof HiveSyncError || spec.signal?.aborted) throw error;
          if (error instanceof TypeError || (error as Error)?.name === "TypeError") {
            throw HiveSyncError.network(error);
          }
          throw error;
        }
      },
      { ...this.#retry, ...retry, signal: spec.signal },
    );
  }

  /**
   * {@link request} that validates a JSON answer with the server's zod schema.
   *
   * @example
   * const me = await transport.json({ method: "GET", path: "/auth/me" }, MeResponse);
   */
  json<S extends z.ZodType>(spec: RequestSpec, schema: S): Promise<z.output<S>> {
    return this.request(spec, (res) => readJson(res, schema));
  }

  /**
   * {@link request} for answers without a body (204).
   *
   * @example
   * await transport.empty({ method: "DELETE", path: `/projects/${id}` });
   */
  empty(spec: RequestSpec): Promise<void> {
    return this.request(spec, async (res) => {
      await res.body?.cancel();
    });
  }

  /**
   * The retry policy a call runs under: the client's, with `override` on top (`false`: one
   * attempt). For operations that retry by themselves, such as a batch upload that resends only
   * what did not land.
   *
   * @example
   * await withRetry(() => attempt(), { ...transport.retryPolicy(options.retry), signal });
   */
  retryPolicy(override?: Partial<RetryOptions> | false): RetryOptions {
    if (override === false) return { ...this.#retry, maxAttempts: 1 };
    const set = Object.entries(override ?? {}).filter(([, value]) => value !== undefined);
    return { ...this.#retry, ...Object.fromEntries(set) };
  }

  async #authorizedAttempt(spec: RequestSpec, key: string | undefined): Promise<Response> {
    const auth = spec.auth ?? "user";
    const token = auth === "none" ? null : auth === "user" ? await this.session.accessToken() : auth.bearer;
    let res = await this.#attempt(spec, key, token);
    if (res.status === 401 && auth === "user" && token && spec.refreshOn401 !== false) {
      const refused = await HiveSyncError.fromResponse(res);
      const renewed = await this.session.renewAfter401(token);
      if (!renewed) throw refused;
      res = await this.#attempt(spec, key, renewed);
    }
    if (res.ok || spec.acceptStatus?.includes(res.status)) return res;
    throw await HiveSyncError.fromResponse(res);
  }

  async #attempt(spec: RequestSpec, key: string | undefined, token: string | null): Promise<Response> {
    const headers = new Headers(this.#headers);
    for (const [name, value] of Object.entries(spec.headers ?? {})) headers.set(name, value);
    if (!headers.has("accept")) headers.set("accept", "application/json");
    if (token) headers.set("authorization", `Bearer ${token}`);
    if (key) headers.set("idempotency-key", key);
    let body: BodyInit | undefined;
    if (spec.json !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(spec.json);
    } else if (spec.body !== undefined) {
      if (!headers.has("content-type")) headers.set("content-type", "application/octet-stream");
      body = spec.body as BodyInit;
    }
    const url = buildUrl(spec.root ? this.origin : this.apiRoot, spec.path, spec.query);
    try {
      return await this.#fetch(url, { method: spec.method, headers, body, signal: spec.signal });
    } catch (error) {
      if (spec.signal?.aborted) throw abortError(spec.signal);
      throw HiveSyncError.network(error);
    }
  }
}
