import { r2Keys } from "../../../schema/storage-keys";
import { database } from "../db";
import { newId } from "../lib/ids";
import { decodeCursor, toPage } from "../lib/pagination";
import { deleteR2Prefix } from "../lib/r2";
import type { AppRouteHandler } from "../openapi";
import { liveSessionIds } from "../preview/session-store";
import { previewStub } from "../preview/stub";
import {
  deleteProject,
  insertProject,
  listOwnedProjects,
  loadOwnedProject,
  presentProject,
  updateProject,
} from "./project-store";
import type * as routes from "./routes";

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const body = c.req.valid("json");
  const now = new Date().toISOString();
  const row = await insertProject(database(c.env), {
    id: newId("project"),
    ownerId: c.get("auth").userId,
    name: body.name,
    description: body.description ?? null,
    framework: body.framework,
    entry: body.entry ?? null,
    createdAt: now,
    updatedAt: now,
  });
  return c.json(presentProject(row), 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const rows = await listOwnedProjects(database(c.env), c.get("auth").userId, {
    after: decodeCursor(cursor),
    limit,
  });
  return c.json(
    toPage(rows, limit, (r) => r.id, presentProject),
    200,
  );
};

export const read: AppRouteHandler<typeof routes.read> = async (c) => {
  const row = await loadOwnedProject(database(c.env), c.get("auth").userId, c.req.valid("param").id);
  return c.json(presentProject(row), 200);
};

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const db = database(c.env);
  const row = await loadOwnedProject(db, c.get("auth").userId, c.req.valid("param").id);
  const { name, description, framework, entry } = c.req.valid("json");
  const next = await updateProject(
    db,
    row,
    { name, description, framework, entry },
    new Date().toISOString(),
  );
  return c.json(presentProject(next), 200);
};

export const remove: AppRouteHandler<typeof routes.remove> = async (c) => {
  const db = database(c.env);
  const row = await loadOwnedProject(db, c.get("auth").userId, c.req.valid("param").id);
  const live = await liveSessionIds(db, row.id);
  await deleteProject(db, row);
  // Then its live previews expire (their phones see 410) and its R2 prefix is removed.
  await Promise.all(live.map((sessionId) => previewStub(c.env, sessionId).expireNow()));
  await deleteR2Prefix(c.env.BLOBS, r2Keys.projectPrefix(row.id));
  return c.body(null, 204);
};
