import { AuthResponse, MeResponse } from "../schemas";
import type { CallOptions, Transport } from "../transport";
import type { AuthResponse as AuthResult, LoginInput, RegisterInput, User } from "../types";
import { call, creating } from "./call";

/**
 * Accounts and the session: `client.auth`. Sign-in methods store the tokens they receive in the
 * client's token store; every later call uses (and refreshes) them.
 *
 * @example
 * await client.auth.login({ login: "ada", password: "correct horse battery" });
 * const me = await client.auth.me();
 */
export class AuthApi {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /**
   * Creates an account and signs in as it (`POST /auth/register` → 201).
   *
   * @example
   * const { user } = await client.auth.register({ email: "ada@example.com", username: "ada", password: "0123456789" });
   */
  async register(body: RegisterInput, options?: CallOptions): Promise<AuthResult> {
    const result = await this.#t.json(
      { method: "POST", path: "/auth/register", json: body, auth: "none", ...creating(options) },
      AuthResponse,
    );
    await this.#t.session.save(result.tokens);
    return result;
  }

  /**
   * Signs in with an email or username (`POST /auth/login`).
   *
   * @example
   * await client.auth.login({ login: "ada@example.com", password });
   */
  async login(body: LoginInput, options?: CallOptions): Promise<AuthResult> {
    const result = await this.#t.json(
      { method: "POST", path: "/auth/login", json: body, auth: "none", ...call(options) },
      AuthResponse,
    );
    await this.#t.session.save(result.tokens);
    return result;
  }

  /**
   * Revokes this session on the server (`POST /auth/logout`) and forgets the tokens. The tokens are
   * forgotten even when the server cannot be reached: signing out must always work locally.
   *
   * @example
   * await client.auth.logout();
   */
  async logout(options?: CallOptions): Promise<void> {
    try {
      if (await this.#t.session.accessToken()) {
        // With an expired access token this refreshes once first: the server-side session must be
        // revoked, not just forgotten here (a copied refresh token would otherwise live on).
        await this.#t.empty({ method: "POST", path: "/auth/logout", ...call(options) });
      }
    } finally {
      await this.#t.session.clear();
    }
  }

  /**
   * The signed-in user (`GET /auth/me`).
   *
   * @example
   * const { username } = await client.auth.me();
   */
  async me(options?: CallOptions): Promise<User> {
    return (await this.#t.json({ method: "GET", path: "/auth/me", ...call(options) }, MeResponse)).user;
  }

  /**
   * Renews the tokens now (`POST /auth/refresh`) instead of waiting for a 401. Returns false when
   * there is no session or the server refused it (then `session-expired` has been emitted).
   *
   * @example
   * if (!(await client.auth.refresh())) showSignIn();
   */
  async refresh(): Promise<boolean> {
    const tokens = await this.#t.tokenStore.get();
    if (!tokens) return false;
    return (await this.#t.session.refresh(tokens.refresh_token)) !== null;
  }

  /**
   * Whether the token store holds a session (it may still turn out to be expired).
   *
   * @example
   * if (!(await client.auth.isSignedIn())) await promptLogin();
   */
  async isSignedIn(): Promise<boolean> {
    return (await this.#t.tokenStore.get()) !== null;
  }
}
