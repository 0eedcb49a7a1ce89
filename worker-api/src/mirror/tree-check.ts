import type { MirrorChange } from "../../../schema/api/mirror";
import { treeProblems } from "../../../schema/api/portable-tree";
import type { Db } from "../db";
import { ApiError } from "../lib/api-error";
import { listCurrentPaths } from "./mirror-store";

/**
 * Refuses (422 `INVALID_PATH`, each offending path named in `details.issues`) a change set whose
 * added paths would make a tree a common file system cannot hold (schema/api/portable-tree.ts).
 * `existing`: the current files among the set's paths. Only a set that adds a path can make such
 * a tree, so only such a set reads the current tree's paths (one query on the index).
 */
export async function checkTree(
  db: Db,
  projectId: string,
  changes: readonly MirrorChange[],
  existing: Map<string, number>,
): Promise<void> {
  const added = changes.filter((c) => c.op === "put" && !existing.has(c.path)).map((c) => c.path);
  if (added.length === 0) return;
  const deleted = new Set(changes.filter((c) => c.op === "delete").map((c) => c.path));
  const kept = (await listCurrentPaths(db, projectId)).filter((path) => !deleted.has(path));
  const problems = treeProblems(kept, added);
  const [first] = problems;
  if (!first) return;
  const index = new Map(changes.map((c, i) => [c.path, i]));
  throw new ApiError(
    "INVALID_PATH",
    `${first.message}${problems.length > 1 ? `; and ${problems.length - 1} more` : ""}; see details.issues.`,
    {
      issues: problems.map(({ path, message }) => ({
        path: `changes.${index.get(path)}.path`,
        message,
        in: "body",
      })),
    },
  );
}
