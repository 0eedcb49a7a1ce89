import { and, eq, inArray } from "drizzle-orm";
import { previewSessions } from "../../../schema/tables";
import type { Db } from "../db";

/** The statuses of a session that is still alive: it counts against the cap and can be expired. */
export const LIVE_STATUSES = ["pending", "building", "ready"] as const;

/** The ids of a project's sessions that are still alive (deleting the project expires them). */
export async function liveSessionIds(db: Db, projectId: string): Promise<string[]> {
  const rows = await db
    .select({ id: previewSessions.id })
    .from(previewSessions)
    .where(and(eq(previewSessions.projectId, projectId), inArray(previewSessions.status, [...LIVE_STATUSES])))
    .all();
  return rows.map((row) => row.id);
}
