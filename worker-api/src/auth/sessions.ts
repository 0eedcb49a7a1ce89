import type { BatchItem } from "drizzle-orm/batch";
import type { Tokens } from "../../../schema/api/auth";
import { getConfig } from "../config";
import { type Db, database } from "../db";
import type { Env } from "../env";
import { ACCESS_TOKEN_TTL_SECONDS, signAccessToken } from "../lib/access-tokens";
import { randomToken, sha256Hex } from "../lib/crypto";
import { newId } from "../lib/ids";
import { endLiveChannels } from "../preview/revocation";
import { forgetSessionHere } from "./admission";
import {
  authSessionInsert,
  claimRefreshToken,
  findRefreshToken,
  findSessionUserId,
  markSessionRevoked,
  refreshTokenInsert,
} from "./session-store";
import { userSessionsOf } from "./user-sessions";

export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

/** Statements for `db.batch`: never empty, so they can be batched on their own. */
export type SessionStatements = [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]];

/** A new refresh token for a session and its insert; returned unexecuted so callers can batch it. */
async function newRefreshToken(db: Db, sessionId: string, now: Date) {
  const refreshToken = randomToken(32);
  const statement = refreshTokenInsert(db, {
    tokenHash: await sha256Hex(refreshToken),
    sessionId,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_SECONDS * 1000).toISOString(),
  });
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
 * once they have run. Callers batch them with their own writes so nothing is half-created:
 * `db.batch([...session.statements, theirOwnInsert])`.
 */
export async function prepareSession(
  db: Db,
  env: Env,
  userId: string,
  kind: "password" | "device",
): Promise<{ sessionId: string; statements: SessionStatements; tokens: () => Promise<Tokens> }> {
  const now = new Date();
  const sessionId = newId("authSession");
  const { refreshToken, statement } = await newRefreshToken(db, sessionId, now);
  return {
    sessionId,
    statements: [
      authSessionInsert(db, { id: sessionId, userId, kind, createdAt: now.toISOString() }),
      statement,
    ],
    tokens: () => tokens(env, userId, sessionId, refreshToken),
  };
}

/**
 * Revokes auth session `sessionId` of `userId`: first in the user's UserSessions object (what
 * every request with an access token checks), then in D1 (the record, and what refresh checks).
 * In that order, an access token stops working before the revocation is recorded, and a revocation
 * cut off half-way is finished by the object's alarm (it keeps the revocation as pending until
 * told D1 has it: `recorded`), or by a retry: every write is idempotent. Then it answers
 * once no other isolate can still admit the session from a lease (at most `SESSION_LEASE_MS`,
 * as the object counts it); this isolate stops at once (`forgetSessionHere`) — even if the object
 * then fails: it fails closed. Beside the D1 mark, the session's open preview sockets are closed
 * (4001) and its parked status long-polls answered 401 (`endLiveChannels`), so by the time it
 * answers no live channel of the session is left either.
 */
export async function revokeSession(
  env: Env,
  userId: string,
  sessionId: string,
  reason: string,
): Promise<void> {
  const holder = forgetSessionHere(env, userId, sessionId);
  const object = userSessionsOf(env, userId);
  const settleMs = await object.revoke(sessionId, holder, reason);
  // Beside the D1 mark, whatever becomes of it: the session's open live channels are cut (never throws).
  const [marked] = await Promise.allSettled([
    markSessionRevoked(database(env), sessionId, { at: new Date().toISOString(), reason }).then(() =>
      object.recorded(sessionId),
    ),
    endLiveChannels(env, userId, sessionId),
  ]);
  if (marked.status === "rejected") throw marked.reason;
  // Recorded everywhere; now until no other isolate can admit the session from a lease (≤ 2 s).
  if (settleMs > 0) await scheduler.wait(settleMs);
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
  const db = database(env);
  const tokenHash = await sha256Hex(presented);
  const now = new Date();
  const sessionId = await claimRefreshToken(db, tokenHash, now.toISOString());

  if (!sessionId) {
    const row = await findRefreshToken(db, tokenHash);
    if (!row) return { ok: false, reason: "unknown" };
    if (row.usedAt !== null) {
      await revokeSession(env, row.userId, row.sessionId, "refresh_token_reused");
      return { ok: false, reason: "reused" };
    }
    return { ok: false, reason: row.revokedAt ? "unknown" : "expired" };
  }

  const userId = await findSessionUserId(db, sessionId);
  if (!userId) return { ok: false, reason: "unknown" };
  const { refreshToken, statement } = await newRefreshToken(db, sessionId, now);
  await statement.run();
  return { ok: true, tokens: await tokens(env, userId, sessionId, refreshToken) };
}
