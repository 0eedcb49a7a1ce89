import { createRoute } from "@hono/zod-openapi";
import {
  AuthResponse,
  LoginRequest,
  MeResponse,
  RefreshRequest,
  RegisterRequest,
  TokensResponse,
} from "../../../schema/api/auth";
import { getConfig } from "../config";
import { ApiError } from "../lib/api-error";
import { newId } from "../lib/ids";
import { hashPassword, UNKNOWN_USER_HASH, verifyPassword } from "../lib/passwords";
import { requireAuth } from "../middleware/auth";
import { idempotent } from "../middleware/idempotency";
import { bearerAuth, createRouter, errorResponses, json } from "../openapi";
import { clientIp, enforceRateLimit, failures } from "../rate-limit/limits";
import { prepareSession, revokeSession, rotateRefreshToken } from "./sessions";
import { presentUser, type UserRow } from "./users";

const register = createRoute({
  method: "post",
  path: "/auth/register",
  tags: ["Accounts"],
  summary: "Create an account",
  middleware: [idempotent] as const,
  request: { body: { ...json(RegisterRequest), required: true } },
  responses: {
    201: { description: "The new user and their first tokens", ...json(AuthResponse) },
    ...errorResponses(400, 409, 413, 415, 429),
  },
});

const login = createRoute({
  method: "post",
  path: "/auth/login",
  tags: ["Accounts"],
  summary: "Sign in with email or username",
  request: { body: { ...json(LoginRequest), required: true } },
  responses: {
    200: { description: "The user and fresh tokens", ...json(AuthResponse) },
    ...errorResponses(400, 401, 429),
  },
});

const refresh = createRoute({
  method: "post",
  path: "/auth/refresh",
  tags: ["Accounts"],
  summary: "Trade a refresh token for new tokens (the refresh token rotates)",
  request: { body: { ...json(RefreshRequest), required: true } },
  responses: {
    200: { description: "New tokens", ...json(TokensResponse) },
    ...errorResponses(400, 401),
  },
});

const logout = createRoute({
  method: "post",
  path: "/auth/logout",
  tags: ["Accounts"],
  summary: "Revoke the current auth session",
  security: bearerAuth,
  middleware: [requireAuth] as const,
  responses: { 204: { description: "Signed out" }, ...errorResponses(401) },
});

const me = createRoute({
  method: "get",
  path: "/auth/me",
  tags: ["Accounts"],
  summary: "The signed-in user",
  security: bearerAuth,
  middleware: [requireAuth] as const,
  responses: { 200: { description: "The user", ...json(MeResponse) }, ...errorResponses(401) },
});

const SELECT_USER = "SELECT id, email, username, password_hash, created_at FROM users";

export function authRoutes() {
  const app = createRouter();

  app.openapi(register, async (c) => {
    const { email, username, password } = c.req.valid("json");
    const db = c.env.DB;
    const taken = await db
      .prepare("SELECT email = ?1 AS same_email FROM users WHERE email = ?1 OR username = ?2 LIMIT 1")
      .bind(email, username)
      .first<{ same_email: number }>();
    if (taken) throw takenError(taken.same_email === 1);

    const now = new Date().toISOString();
    const user: UserRow = {
      id: newId("user"),
      email,
      username,
      password_hash: await hashPassword(password),
      created_at: now,
    };
    const session = await prepareSession(c.env, user.id, "password");
    try {
      await db.batch([
        db
          .prepare(
            "INSERT INTO users (id, email, username, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
          )
          .bind(user.id, email, username, user.password_hash, now, now),
        ...session.statements,
      ]);
    } catch (err) {
      // Two registrations raced for the same name: the unique index decided; say which one.
      const message = String(err);
      if (message.includes("users.email")) throw takenError(true);
      if (message.includes("users.username")) throw takenError(false);
      throw err;
    }
    return c.json({ user: presentUser(user), tokens: await session.tokens() }, 201);
  });

  app.openapi(login, async (c) => {
    const { login: loginName, password } = c.req.valid("json");
    const config = getConfig(c.env);
    await enforceRateLimit(c.env, `login:ip:${clientIp(c.req.raw.headers)}`, config.loginPerIp);

    const normalized = loginName.trim().toLowerCase();
    const user = await c.env.DB.prepare(`${SELECT_USER} WHERE email = ?1 OR username = ?1`)
      .bind(normalized)
      .first<UserRow>();
    // Failures count per account when it exists, so alternating email and username gains nothing.
    const failureKey = `login:failures:${user ? user.id : normalized}`;
    // The attempt counts as a failure before the password is checked (a success clears it), so a
    // burst of parallel guesses cannot all pass a "not locked yet" check before any is recorded.
    await failures.begin(c.env, failureKey, config.loginFailuresPerName);

    // Unknown users still pay for one PBKDF2 run, so timing does not reveal which logins exist.
    const ok = await verifyPassword(password, user?.password_hash ?? UNKNOWN_USER_HASH);
    if (!user || !ok) throw new ApiError("INVALID_CREDENTIALS", "The login or password is wrong.");
    await failures.clear(c.env, failureKey);
    const session = await prepareSession(c.env, user.id, "password");
    await c.env.DB.batch(session.statements);
    return c.json({ user: presentUser(user), tokens: await session.tokens() }, 200);
  });

  app.openapi(refresh, async (c) => {
    const outcome = await rotateRefreshToken(c.env, c.req.valid("json").refresh_token);
    if (!outcome.ok) {
      const messages = {
        unknown: "This refresh token is not valid; sign in again.",
        expired: "This refresh token has expired; sign in again.",
        reused:
          "This refresh token was already used, so the session has been revoked for safety; sign in again.",
      };
      throw new ApiError("INVALID_REFRESH_TOKEN", messages[outcome.reason], { reason: outcome.reason });
    }
    return c.json({ tokens: outcome.tokens }, 200);
  });

  app.openapi(logout, async (c) => {
    await revokeSession(c.env, c.get("auth").sessionId, "logout");
    return c.body(null, 204);
  });

  app.openapi(me, async (c) => {
    const user = await c.env.DB.prepare(`${SELECT_USER} WHERE id = ?`)
      .bind(c.get("auth").userId)
      .first<UserRow>();
    if (!user) throw new ApiError("UNAUTHENTICATED", "This account no longer exists.");
    return c.json({ user: presentUser(user) }, 200);
  });

  return app;
}

function takenError(email: boolean): ApiError {
  return email
    ? new ApiError("EMAIL_TAKEN", "An account with this email already exists.")
    : new ApiError("USERNAME_TAKEN", "This username is taken.");
}
