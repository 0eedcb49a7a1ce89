import { database } from "../db";
import { ApiError } from "../lib/api-error";
import { ownedProject } from "../middleware/owned-project";
import { blobSizes } from "../mirror/blob-store";
import type { AppRouteHandler } from "../openapi";
import {
  dependencyRows,
  listDependencies,
  presentDependency,
  replaceDependencies,
  sameRows,
} from "./dependency-store";
import type * as routes from "./routes";

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const project = ownedProject(c);
  const rows = await listDependencies(database(c.env), project.id);
  return c.json({ items: rows.map(presentDependency) }, 200);
};

export const replace: AppRouteHandler<typeof routes.replace> = async (c) => {
  const project = ownedProject(c);
  const { items } = c.req.valid("json");
  const db = database(c.env);
  const sizes = await blobSizes(
    db,
    project.id,
    items.map((i) => i.sha256),
  );
  const missing = [...new Set(items.map((i) => i.sha256).filter((h) => !sizes.has(h)))];
  if (missing.length > 0)
    throw new ApiError("BLOB_MISSING", "Upload these blobs before recording the dependencies.", {
      hashes: missing,
    });
  const wrongSize = items.filter((i) => sizes.get(i.sha256) !== i.size);
  if (wrongSize.length > 0)
    throw new ApiError("HASH_MISMATCH", "The size of a dependency does not match its uploaded blob.", {
      items: wrongSize.map((i) => ({ module_id: i.module_id, size: i.size, actual: sizes.get(i.sha256) })),
    });

  const rows = dependencyRows(project.id, items);
  const current = await listDependencies(db, project.id);
  const changed = !sameRows(current, rows);
  if (changed && !(await replaceDependencies(db, project.id, rows))) {
    // A blob was collected since it was checked (uploaded over a day ago and never used).
    const left = await blobSizes(
      db,
      project.id,
      items.map((i) => i.sha256),
    );
    throw new ApiError("BLOB_MISSING", "Upload these blobs before recording the dependencies.", {
      hashes: [...new Set(items.map((i) => i.sha256).filter((h) => !left.has(h)))],
    });
  }
  return c.json({ items: rows.map(presentDependency), changed }, 200);
};
