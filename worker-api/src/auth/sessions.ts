import type { Tokens } from "../../../schema/api/auth";
import { getConfig } from "../config";
import type { Env } from "../env";
import { ACCESS_TOKEN_TTL_SECONDS, signAccessToken } from "../lib/access-tokens";
import { randomToken, sha256Hex } from "../lib/crypto";
import { newId } from "../lib/ids";

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

/** Statements that store a new refresh token for a session; returned unexecuted so callers can batch them. */
async function refreshTokenInsert(env: Env, sessionId: string, now: Date) {
  const refreshToken = randomToken(32);
  const statement = env.DB.prepare(
    "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
  ).bind(
    await sha256Hex(refreshToken),
    sessionId,
    now.toISOString(),
    new Date(now.getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000).toISOString(),
  );
  return { refreshToken, statement };
}

async function tokens(env: Env, userId: string, sessionId: string, refreshToken: string): Promise<Tokens> {
  return {
    access_token: await signAccessToken(userId, sessionId, getConfig(env).jwtSecret),
    refresh_token: refreshToken,
    token_type: "Bearer",
    expires_in: ACCESS_TOKEN_TTL_SECONDS,
  };
}

/**
 * Statements that open a new auth session with its first refresh token, and the tokens to hand out
 * once they have run. Callers batch them with their own writes so nothing is half-created.
 */
export async function prepareSession(env: Env, userId: string, kind: "password" | "device") {
  const now = new Date();
  const sessionId = newId("authSession");
  const { refreshToken, statement } = await refreshTokenInsert(env, sessionId, now);
  return {
    sessionId,
    statements: [
      env.DB.prepare("INSERT INTO auth_sessions (id, user_id, kind, created_at) VALUES (?, ?, ?, ?)").bind(
        sessionId,
        userId,
        kind,
        now.toISOString(),
      ),
      statement,
    ],
    tokens: () => tokens(env, userId, sessionId, refreshToken),
  };
}

/**
 * Revokes an auth session: D1 (what every authenticated route checks) and the user's
 * RevokedSessions object (what the D1-free preview status path checks).
 */
export async function revokeSession(env: Env, sessionId: string, reason: string): Promise<void> {
  const row = await env.DB.prepare(
    "UPDATE auth_sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL RETURNING user_id",
  )
    .bind(new Date().toISOString(), reason, sessionId)
    .first<{ user_id: string }>();
  if (row) await env.REVOKED_SESSIONS.get(env.REVOKED_SESSIONS.idFromName(row.user_id)).revoke(sessionId);
}

export type RefreshOutcome =
  | { ok: true; tokens: Tokens }
  | { ok: false; reason: "unknown" | "expired" | "reused" };

/**
 * Rotates a refresh token: the presented one is marked used by a conditional update (so of two
 * concurrent refreshes exactly one wins) and a new one is issued. Presenting a token that was
 * already rotated is treated as theft: the whole auth session is revoked.
 */
export async function rotateRefreshToken(env: Env, presented: string): Promise<RefreshOutcome> {
  const db = env.DB;
  const tokenHash = await sha256Hex(presented);
  const now = new Date();
  const claimed = await db
    .prepare(
      `UPDATE refresh_tokens SET used_at = ?1
       WHERE token_hash = ?2 AND used_at IS NULL AND expires_at > ?1
         AND session_id IN (SELECT id FROM auth_sessions WHERE revoked_at IS NULL)
       RETURNING session_id`,
    )
    .bind(now.toISOString(), tokenHash)
    .first<{ session_id: string }>();

  if (!claimed) {
    const row = await db
      .prepare(
        `SELECT t.session_id, t.used_at, t.expires_at, s.revoked_at FROM refresh_tokens t
         JOIN auth_sessions s ON s.id = t.session_id WHERE t.token_hash = ?`,
      )
      .bind(tokenHash)
      .first<{ session_id: string; used_at: string | null; expires_at: string; revoked_at: string | null }>();
    if (!row) return { ok: false, reason: "unknown" };
    if (row.used_at !== null) {
      await revokeSession(env, row.session_id, "refresh_token_reused");
      return { ok: false, reason: "reused" };
    }
    return { ok: false, reason: row.revoked_at ? "unknown" : "expired" };
  }

  const session = await db
    .prepare("SELECT user_id FROM auth_sessions WHERE id = ?")
    .bind(claimed.session_id)
    .first<{ user_id: string }>();
  if (!session) return { ok: false, reason: "unknown" };
  const { refreshToken, statement } = await refreshTokenInsert(env, claimed.session_id, now);
  await statement.run();
  return { ok: true, tokens: await tokens(env, session.user_id, claimed.session_id, refreshToken) };
}
