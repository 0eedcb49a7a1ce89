import { and, eq, gt, inArray, isNull } from "drizzle-orm";
import { authSessions, refreshTokens } from "../../../schema/tables";
import type { Db } from "../db";

export type AuthSessionRow = typeof authSessions.$inferSelect;
export type NewAuthSession = Pick<typeof authSessions.$inferInsert, "id" | "userId" | "kind" | "createdAt">;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
export type NewRefreshToken = Pick<
  typeof refreshTokens.$inferInsert,
  "tokenHash" | "sessionId" | "createdAt" | "expiresAt"
>;

/** Whether `sessionId` is a live (not revoked) auth session of `userId`. */
export async function isSessionLive(db: Db, userId: string, sessionId: string): Promise<boolean> {
  const row = await db
    .select({ id: authSessions.id })
    .from(authSessions)
    .where(
      and(eq(authSessions.id, sessionId), eq(authSessions.userId, userId), isNull(authSessions.revokedAt)),
    )
    .get();
  return row !== undefined;
}

/** The insert of a new auth session, unexecuted so callers can batch it. */
export function authSessionInsert(db: Db, session: NewAuthSession) {
  return db.insert(authSessions).values(session);
}

/** The insert of a refresh token (by its hash), unexecuted so callers can batch it. */
export function refreshTokenInsert(db: Db, token: NewRefreshToken) {
  return db.insert(refreshTokens).values(token);
}

/** The user an auth session belongs to, or undefined if there is no such session. */
export async function findSessionUserId(db: Db, sessionId: string): Promise<string | undefined> {
  const row = await db
    .select({ userId: authSessions.userId })
    .from(authSessions)
    .where(eq(authSessions.id, sessionId))
    .get();
  return row?.userId;
}

/** Marks a session revoked, unless it already is (the first revocation's time and reason stay). */
export async function markSessionRevoked(
  db: Db,
  sessionId: string,
  revoked: { at: string; reason: string },
): Promise<void> {
  await db
    .update(authSessions)
    .set({ revokedAt: revoked.at, revokedReason: revoked.reason })
    .where(and(eq(authSessions.id, sessionId), isNull(authSessions.revokedAt)));
}

/**
 * Marks an unused, unexpired refresh token of a live session used, and returns its session. The
 * condition is in the UPDATE itself, so of two concurrent claims of one token exactly one wins.
 */
export async function claimRefreshToken(
  db: Db,
  tokenHash: string,
  nowIso: string,
): Promise<string | undefined> {
  const liveSessions = db
    .select({ id: authSessions.id })
    .from(authSessions)
    .where(isNull(authSessions.revokedAt));
  const row = await db
    .update(refreshTokens)
    .set({ usedAt: nowIso })
    .where(
      and(
        eq(refreshTokens.tokenHash, tokenHash),
        isNull(refreshTokens.usedAt),
        gt(refreshTokens.expiresAt, nowIso),
        inArray(refreshTokens.sessionId, liveSessions),
      ),
    )
    .returning({ sessionId: refreshTokens.sessionId })
    .get();
  return row?.sessionId;
}

/** A refresh token by its hash with its session's revocation, to tell why a claim failed. */
export async function findRefreshToken(
  db: Db,
  tokenHash: string,
): Promise<
  | (Pick<RefreshTokenRow, "sessionId" | "usedAt" | "expiresAt"> &
      Pick<AuthSessionRow, "userId" | "revokedAt">)
  | undefined
> {
  return db
    .select({
      sessionId: refreshTokens.sessionId,
      usedAt: refreshTokens.usedAt,
      expiresAt: refreshTokens.expiresAt,
      userId: authSessions.userId,
      revokedAt: authSessions.revokedAt,
    })
    .from(refreshTokens)
    .innerJoin(authSessions, eq(authSessions.id, refreshTokens.sessionId))
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .get();
}
