import { and, count, desc, eq, gt, inArray, isNull, lt, sql } from "drizzle-orm";
import { devices, previewCodes, previewSessions, projects } from "../../../schema/tables";
import type { Db } from "../db";
import { LIVE_STATUSES, type TerminalStatus } from "./session-rules";

export { LIVE_STATUSES };

/** The D1 index row of a session, as `start` writes it. */
export type NewPreviewSession = Pick<
  typeof previewSessions.$inferInsert,
  "id" | "projectId" | "userId" | "platform" | "revision" | "codeHash" | "createdAt" | "expiresAt"
>;

/** A session still alive at `now`: a live status and not yet past its expiry. */
export function liveAt(now: string) {
  return and(inArray(previewSessions.status, LIVE_STATUSES), gt(previewSessions.expiresAt, now));
}

/**
 * Inserts a pending session unless its project already has `cap` live ones. The cap is checked
 * inside the INSERT itself: D1 runs one statement at a time, so concurrent starts cannot both
 * squeeze under it. The code's hash goes into `preview_codes` in the same batch (one transaction),
 * copied from the row just inserted, so it is there exactly when the session is. `code_taken`:
 * another session, live, ended or deleted with its project, has this code's hash (draw a new code).
 */
export async function insertSessionUnderCap(
  db: Db,
  row: NewPreviewSession,
  cap: number,
): Promise<"inserted" | "over_cap" | "code_taken"> {
  const live = db
    .select({ n: count() })
    .from(previewSessions)
    .where(and(eq(previewSessions.projectId, row.projectId), liveAt(row.createdAt)));
  const t = previewSessions;
  try {
    // drizzle's insert…select needs a FROM; a conditional single-row INSERT … SELECT … WHERE is
    // written out, in the table's column order (drizzle lists every column, in that order). Through
    // `insert().select(sql)`, not `db.run(sql)`: drizzle's D1 batch cannot bind raw statements.
    const [result] = await db.batch([
      db.insert(t).select(
        sql`SELECT ${row.id}, ${row.projectId}, ${row.userId}, ${row.platform}, ${row.revision}, 'pending',
             ${row.codeHash}, ${row.createdAt}, ${row.createdAt}, ${row.expiresAt}
      WHERE (${live}) < ${cap}`,
      ),
      db
        .insert(previewCodes)
        .select(
          db
            .select({ codeHash: t.codeHash, sessionId: t.id, createdAt: t.createdAt })
            .from(t)
            .where(eq(t.id, row.id)),
        ),
    ]);
    return result.meta.changes === 0 ? "over_cap" : "inserted";
  } catch (err) {
    if (violates(err, "preview_sessions.code_hash") || violates(err, "preview_codes.code_hash"))
      return "code_taken";
    throw err;
  }
}

/** Whether `err` (or the D1 error drizzle wraps in it) is a UNIQUE failure on `column`. */
function violates(err: unknown, column: string): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) if (e.message.includes(column)) return true;
  return false;
}

/** Removes the index row (and the code) of a session that could not be started. */
export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.batch([
    db.delete(previewSessions).where(eq(previewSessions.id, sessionId)),
    db.delete(previewCodes).where(eq(previewCodes.sessionId, sessionId)),
  ]);
}

/**
 * Records a terminal status the Durable Object reached. Only a live row changes, so the first
 * terminal status sticks however often the object's bookkeeping is retried.
 */
export async function recordTerminalStatus(
  db: Db,
  sessionId: string,
  status: TerminalStatus,
  updatedAt: string,
): Promise<void> {
  await db
    .update(previewSessions)
    .set({ status, updatedAt })
    .where(and(eq(previewSessions.id, sessionId), inArray(previewSessions.status, LIVE_STATUSES)));
}

/** The ids of a project's sessions that are still alive (deleting the project expires them). */
export async function liveSessionIds(db: Db, projectId: string): Promise<string[]> {
  const rows = await db
    .select({ id: previewSessions.id })
    .from(previewSessions)
    .where(and(eq(previewSessions.projectId, projectId), inArray(previewSessions.status, LIVE_STATUSES)))
    .all();
  return rows.map((row) => row.id);
}

/**
 * The ids of a project's sessions alive at `now` (a live status, not past expiry): the ones an
 * accepted commit rebuilds, since a session follows its project.
 */
export async function followingSessionIds(db: Db, projectId: string, now: string): Promise<string[]> {
  const rows = await db
    .select({ id: previewSessions.id })
    .from(previewSessions)
    .where(and(eq(previewSessions.projectId, projectId), liveAt(now)))
    .all();
  return rows.map((row) => row.id);
}

/**
 * One page of a user's session ids, newest first: `limit + 1` so the caller can tell a next page
 * exists. `liveAt` (an ISO time) keeps only the sessions still alive then.
 */
export async function listUserSessionIds(
  db: Db,
  userId: string,
  filter: { projectId?: string; liveAt?: string; after: string | undefined; limit: number },
): Promise<string[]> {
  const rows = await db
    .select({ id: previewSessions.id })
    .from(previewSessions)
    .where(
      and(
        eq(previewSessions.userId, userId),
        filter.projectId === undefined ? undefined : eq(previewSessions.projectId, filter.projectId),
        filter.liveAt === undefined ? undefined : liveAt(filter.liveAt),
        filter.after === undefined ? undefined : lt(previewSessions.id, filter.after),
      ),
    )
    .orderBy(desc(previewSessions.id))
    .limit(filter.limit + 1)
    .all();
  return rows.map((row) => row.id);
}

/** The session a preview code (by its hash) belongs to, with its project's name; the code is not consumed. */
export async function findSessionByCode(db: Db, codeHash: string) {
  return db
    .select({ id: previewSessions.id, platform: previewSessions.platform, projectName: projects.name })
    .from(previewSessions)
    .innerJoin(projects, eq(projects.id, previewSessions.projectId))
    .where(eq(previewSessions.codeHash, codeHash))
    .get();
}

/**
 * Whether a code (by its hash) belonged to a session whose row is gone with its project: such a
 * code answers like an expired session's, not like one that never existed.
 */
export async function isCodeOfDeletedSession(db: Db, codeHash: string): Promise<boolean> {
  const row = await db
    .select({ sessionId: previewCodes.sessionId })
    .from(previewCodes)
    .leftJoin(previewSessions, eq(previewSessions.id, previewCodes.sessionId))
    .where(and(eq(previewCodes.codeHash, codeHash), isNull(previewSessions.id)))
    .get();
  return row !== undefined;
}

/** The linked device signed in with `authSessionId`, if any: only a device "opens" a preview. */
export async function findOpeningDevice(db: Db, authSessionId: string) {
  return db
    .select({ id: devices.id, platform: devices.platform })
    .from(devices)
    .where(and(eq(devices.authSessionId, authSessionId), isNull(devices.revokedAt)))
    .get();
}

/** What never changes about a session: whose it is, of which project, until when (null: no such session). */
export async function findSessionFacts(db: Db, sessionId: string) {
  return db
    .select({
      projectId: previewSessions.projectId,
      userId: previewSessions.userId,
      expiresAt: previewSessions.expiresAt,
    })
    .from(previewSessions)
    .where(eq(previewSessions.id, sessionId))
    .get();
}
