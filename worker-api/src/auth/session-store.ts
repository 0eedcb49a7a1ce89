import { and, eq, isNull } from "drizzle-orm";
import { authSessions } from "../../../schema/tables";
import type { Db } from "../db";

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
