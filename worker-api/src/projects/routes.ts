import { createRoute, z } from "@hono/zod-openapi";
import { idParam, PageQuery, pageOf } from "../../../schema/api/common";
import { CreateProjectRequest, Project, UpdateProjectRequest } from "../../../schema/api/projects";
import { r2Keys } from "../../../schema/storage-keys";
import { newId } from "../lib/ids";
import { decodeCursor, toPage } from "../lib/pagination";
import { deleteR2Prefix } from "../lib/r2";
import { requireAuth } from "../middleware/auth";
import { idempotent } from "../middleware/idempotency";
import { bearerAuth, createRouter, errorResponses, json } from "../openapi";
import { previewStub } from "../preview/access";
import { loadOwnedProject, PROJECT_COLUMNS, type ProjectRow, presentProject } from "./project-store";

const ProjectParams = z.object({ id: idParam("prj") });
const common = { tags: ["Projects"], security: bearerAuth };

const create = createRoute({
  ...common,
  method: "post",
  path: "/projects",
  summary: "Create a project",
  middleware: [requireAuth, idempotent] as const,
  request: {
    body: { ...json(CreateProjectRequest), required: true },
    headers: z.object({ "idempotency-key": z.string().max(255).optional() }),
  },
  responses: {
    201: { description: "The project", ...json(Project) },
    ...errorResponses(400, 401, 409, 422, 429),
  },
});

const list = createRoute({
  ...common,
  method: "get",
  path: "/projects",
  summary: "Your projects, newest first",
  middleware: [requireAuth] as const,
  request: { query: PageQuery },
  responses: {
    200: { description: "A page of projects", ...json(pageOf(Project)) },
    ...errorResponses(400, 401),
  },
});

const read = createRoute({
  ...common,
  method: "get",
  path: "/projects/{id}",
  summary: "One project",
  middleware: [requireAuth] as const,
  request: { params: ProjectParams },
  responses: { 200: { description: "The project", ...json(Project) }, ...errorResponses(400, 401, 404) },
});

const update = createRoute({
  ...common,
  method: "patch",
  path: "/projects/{id}",
  summary: "Change a project's name, description, framework or entry",
  middleware: [requireAuth] as const,
  request: { params: ProjectParams, body: { ...json(UpdateProjectRequest), required: true } },
  responses: {
    200: { description: "The updated project", ...json(Project) },
    ...errorResponses(400, 401, 404),
  },
});

const remove = createRoute({
  ...common,
  method: "delete",
  path: "/projects/{id}",
  summary: "Delete a project with its comments",
  middleware: [requireAuth] as const,
  request: { params: ProjectParams },
  responses: { 204: { description: "Deleted" }, ...errorResponses(401, 404) },
});

export function projectRoutes() {
  const app = createRouter();

  app.openapi(create, async (c) => {
    const body = c.req.valid("json");
    const now = new Date().toISOString();
    const row: ProjectRow = {
      id: newId("project"),
      owner_id: c.get("auth").userId,
      name: body.name,
      description: body.description ?? null,
      framework: body.framework,
      entry: body.entry ?? null,
      mirror_revision: 0,
      mirror_branch: null,
      mirror_commit: null,
      mirror_file_count: 0,
      mirror_total_bytes: 0,
      mirror_updated_at: null,
      created_at: now,
      updated_at: now,
    };
    await c.env.DB.prepare(
      "INSERT INTO projects (id, owner_id, name, description, framework, entry, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
      .bind(row.id, row.owner_id, row.name, row.description, row.framework, row.entry, now, now)
      .run();
    return c.json(presentProject(row), 201);
  });

  app.openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const after = decodeCursor(cursor);
    const { results } = await c.env.DB.prepare(
      `SELECT ${PROJECT_COLUMNS} FROM projects WHERE owner_id = ?1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3`,
    )
      .bind(c.get("auth").userId, after ?? null, limit + 1)
      .all<ProjectRow>();
    return c.json(
      toPage(results, limit, (r) => r.id, presentProject),
      200,
    );
  });

  app.openapi(read, async (c) => {
    const row = await loadOwnedProject(c.env, c.get("auth").userId, c.req.valid("param").id);
    return c.json(presentProject(row), 200);
  });

  app.openapi(update, async (c) => {
    const row = await loadOwnedProject(c.env, c.get("auth").userId, c.req.valid("param").id);
    const patch = c.req.valid("json");
    const next: ProjectRow = {
      ...row,
      name: patch.name ?? row.name,
      description: patch.description === undefined ? row.description : patch.description,
      framework: patch.framework ?? row.framework,
      entry: patch.entry === undefined ? row.entry : patch.entry,
      updated_at: new Date().toISOString(),
    };
    await c.env.DB.prepare(
      "UPDATE projects SET name = ?, description = ?, framework = ?, entry = ?, updated_at = ? WHERE id = ? AND owner_id = ?",
    )
      .bind(next.name, next.description, next.framework, next.entry, next.updated_at, row.id, row.owner_id)
      .run();
    return c.json(presentProject(next), 200);
  });

  app.openapi(remove, async (c) => {
    const row = await loadOwnedProject(c.env, c.get("auth").userId, c.req.valid("param").id);
    const { results: live } = await c.env.DB.prepare(
      "SELECT id FROM preview_sessions WHERE project_id = ? AND status IN ('pending', 'building', 'ready')",
    )
      .bind(row.id)
      .all<{ id: string }>();
    // Comments, the mirror index, syncs, jobs and session rows go with the row (ON DELETE CASCADE);
    // then its live previews expire (their phones see 410) and its R2 prefix is removed.
    await c.env.DB.prepare("DELETE FROM projects WHERE id = ? AND owner_id = ?")
      .bind(row.id, row.owner_id)
      .run();
    await Promise.all(live.map((session) => previewStub(c.env, session.id).expireNow()));
    await deleteR2Prefix(c.env.BLOBS, r2Keys.projectPrefix(row.id));
    return c.body(null, 204);
  });

  return app;
}
