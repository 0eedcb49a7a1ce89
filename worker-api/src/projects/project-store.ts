import { and, desc, eq, lt } from "drizzle-orm";
import type { Project } from "../../../schema/api/projects";
import { projects } from "../../../schema/tables";
import type { Db } from "../db";
import { notFound } from "../lib/api-error";

export type ProjectRow = typeof projects.$inferSelect;
export type NewProject = Pick<
  typeof projects.$inferInsert,
  "id" | "ownerId" | "name" | "description" | "framework" | "entry" | "createdAt" | "updatedAt"
>;
export type ProjectPatch = Partial<Pick<ProjectRow, "name" | "description" | "framework" | "entry">>;

/** The API shape of a project. */
export function presentProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    framework: row.framework,
    entry: row.entry,
    mirror_revision: row.mirrorRevision,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

/** The project, or undefined: for callers that are not acting for a user (the RPC entrypoint). */
export async function findProject(db: Db, projectId: string): Promise<ProjectRow | undefined> {
  return db.select().from(projects).where(eq(projects.id, projectId)).get();
}

/** The project if `userId` owns it; undefined for someone else's and for a missing one alike. */
export async function findOwnedProject(
  db: Db,
  userId: string,
  projectId: string,
): Promise<ProjectRow | undefined> {
  return db
    .select()
    .from(projects)
    .where(and(eq(projects.id, projectId), eq(projects.ownerId, userId)))
    .get();
}

/**
 * The project if `userId` owns it. Someone else's project and a missing one both throw the same
 * 404, so nobody can probe for other users' project IDs (spec §2, §10).
 */
export async function loadOwnedProject(db: Db, userId: string, projectId: string): Promise<ProjectRow> {
  const row = await findOwnedProject(db, userId, projectId);
  if (!row) throw notFound("Project");
  return row;
}

export async function insertProject(db: Db, project: NewProject): Promise<ProjectRow> {
  return db.insert(projects).values(project).returning().get();
}

/** One page of a user's projects, newest first: `limit + 1` rows so the caller can tell a next page exists. */
export async function listOwnedProjects(
  db: Db,
  userId: string,
  page: { after: string | undefined; limit: number },
): Promise<ProjectRow[]> {
  return db
    .select()
    .from(projects)
    .where(
      and(eq(projects.ownerId, userId), page.after === undefined ? undefined : lt(projects.id, page.after)),
    )
    .orderBy(desc(projects.id))
    .limit(page.limit + 1)
    .all();
}

/** Applies `patch` to an owned project and returns the updated row. */
export async function updateProject(
  db: Db,
  project: ProjectRow,
  patch: ProjectPatch,
  updatedAt: string,
): Promise<ProjectRow> {
  const row = await db
    .update(projects)
    .set({ ...patch, updatedAt })
    .where(and(eq(projects.id, project.id), eq(projects.ownerId, project.ownerId)))
    .returning()
    .get();
  // Deleted between the read and this write: the same 404 as if it had never been there.
  if (!row) throw notFound("Project");
  return row;
}

/** Deletes the row; comments, the mirror index, syncs, jobs and session rows go with it (ON DELETE CASCADE). */
export async function deleteProject(db: Db, project: ProjectRow): Promise<void> {
  await db.delete(projects).where(and(eq(projects.id, project.id), eq(projects.ownerId, project.ownerId)));
}
