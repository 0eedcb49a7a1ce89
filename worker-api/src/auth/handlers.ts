import { getConfig } from "../config";
import { database } from "../db";
import { ApiError } from "../lib/api-error";
import { newId } from "../lib/ids";
import { hashPassword, UNKNOWN_USER_HASH, verifyPassword } from "../lib/passwords";
import type { AppRouteHandler } from "../openapi";
import { clientIp, enforceRateLimit, failures } from "../rate-limit/limits";
import type * as routes from "./routes";
import { prepareSession, revokeSession, rotateRefreshToken } from "./sessions";
import { userProfile } from "./user-profiles";
import { findTakenName, findUserByLogin, presentUser, takenNameOf, userInsert } from "./user-store";

export const register: AppRouteHandler<typeof routes.register> = async (c) => {
  const { email, username, password } = c.req.valid("json");
  const db = database(c.env);
  const taken = await findTakenName(db, email, username);
  if (taken) throw takenError(taken);

  const now = new Date().toISOString();
  const user = {
    id: newId("user"),
    email,
    username,
    passwordHash: await hashPassword(password),
    createdAt: now,
    updatedAt: now,
  };
  const session = await prepareSession(db, c.env, user.id, "password");
  try {
    await db.batch([userInsert(db, user), ...session.statements]);
  } catch (err) {
    // Two registrations raced for the same name: the unique index decided; say which one.
    const raced = takenNameOf(err);
    if (raced) throw takenError(raced);
    throw err;
  }
  return c.json({ user: presentUser(user), tokens: await session.tokens() }, 201);
};

export const login: AppRouteHandler<typeof routes.login> = async (c) => {
  const { login: loginName, password } = c.req.valid("json");
  const config = getConfig(c.env);
  await enforceRateLimit(c.env, `login:ip:${clientIp(c.req.raw.headers)}`, config.loginPerIp);

  const db = database(c.env);
  const normalized = loginName.trim().toLowerCase();
  // The visible lock (429 whatever the password) is per login *name*, known or not, so it behaves
  // the same for an account's email, its username and a name nobody has: 5 failures on the email
  // must not lock the username, or the lock itself would tell a stranger that the two belong
  // together. The attempt counts as a failure before the password is checked (a success clears it),
  // so a burst of parallel guesses cannot all pass a "not locked yet" check before any is recorded.
  const nameKey = `login:failures:name:${normalized}`;
  await failures.begin(c.env, nameKey, config.loginFailuresPerName);

  const user = await findUserByLogin(db, normalized);
  // The account's failures across both of its names are counted too, but that count only ever
  // stops a *right* password (429 below): wrong guesses get the same 401 as on any other name, so
  // it reveals nothing to someone who does not know the password — and whoever does can read both
  // names from /auth/me anyway. Alternating names thus gives a guesser at most 5 tries per name and
  // window (10 for an account), and no way in while the account is locked.
  const accountKey = user ? `login:failures:account:${user.id}` : null;
  // Unknown users still pay for one PBKDF2 run, so timing does not reveal which logins exist; the
  // account count (known users only) runs beside it, inside that time.
  const [account, ok] = await Promise.all([
    accountKey ? failures.count(c.env, accountKey, config.loginFailuresPerName) : null,
    verifyPassword(password, user?.passwordHash ?? UNKNOWN_USER_HASH),
  ]);
  if (!user || !ok) throw new ApiError("INVALID_CREDENTIALS", "The login or password is wrong.");
  if (account && !account.allowed) {
    // The right password is not a failure of this name; the account stays locked until its window ends.
    await failures.forgive(c.env, nameKey);
    throw failures.locked(account);
  }
  await Promise.all([failures.clear(c.env, nameKey), accountKey && failures.clear(c.env, accountKey)]);
  const session = await prepareSession(db, c.env, user.id, "password");
  await db.batch(session.statements);
  return c.json({ user: presentUser(user), tokens: await session.tokens() }, 200);
};

const REFRESH_FAILURES = {
  unknown: "This refresh token is not valid; sign in again.",
  expired: "This refresh token has expired; sign in again.",
  reused: "This refresh token was already used, so the session has been revoked for safety; sign in again.",
};

export const refresh: AppRouteHandler<typeof routes.refresh> = async (c) => {
  const outcome = await rotateRefreshToken(c.env, c.req.valid("json").refresh_token);
  if (!outcome.ok) {
    throw new ApiError("INVALID_REFRESH_TOKEN", REFRESH_FAILURES[outcome.reason], { reason: outcome.reason });
  }
  return c.json({ tokens: outcome.tokens }, 200);
};

export const logout: AppRouteHandler<typeof routes.logout> = async (c) => {
  const { userId, sessionId } = c.get("auth");
  await revokeSession(c.env, userId, sessionId, "logout");
  return c.body(null, 204);
};

export const me: AppRouteHandler<typeof routes.me> = async (c) => {
  const user = await userProfile(database(c.env), c.get("auth").userId);
  if (!user) throw new ApiError("UNAUTHENTICATED", "This account no longer exists.");
  return c.json({ user }, 200);
};

function takenError(name: "email" | "username"): ApiError {
  return name === "email"
    ? new ApiError("EMAIL_TAKEN", "An account with this email already exists.")
    : new ApiError("USERNAME_TAKEN", "This username is taken.");
}
