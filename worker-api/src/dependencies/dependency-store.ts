import { and, asc, eq } from "drizzle-orm";
import { type Dependency, parseDependencyModuleId } from "../../../schema/api/dependencies";
import type { StoredPlace } from "../../../schema/blob-location";
import { mirrorBlobs, projectDependencies } from "../../../schema/tables";
import type { Db } from "../db";
import { D1_MAX_PARAMS, failedWith } from "../lib/d1";
import { liveBlobSize, markCommitted } from "../mirror/uncommitted-store";

export type DependencyRow = typeof projectDependencies.$inferSelect;

/** Columns bound per row of a multi-row `project_dependencies` insert (the size's lookup binds 2). */
const PARAMS_PER_ROW = 9;
/** Stay well under D1's 100 KB per statement: a row's `requires` can be long. */
const MAX_STATEMENT_BYTES = 90_000;

/** The API shape of a recorded dependency. */
export function presentDependency(row: DependencyRow): Dependency {
  return {
    specifier: row.specifier,
    module_id: row.moduleId,
    name: row.name,
    version: row.version,
    sha256: row.sha256,
    size: row.size,
    requires: JSON.parse(row.requires) as string[],
  };
}

/** A project's dependency modules, sorted by specifier. */
export async function listDependencies(db: Db, projectId: string): Promise<DependencyRow[]> {
  return db
    .select()
    .from(projectDependencies)
    .where(eq(projectDependencies.projectId, projectId))
    .orderBy(asc(projectDependencies.specifier))
    .all();
}

/** The rows a set of uploaded items becomes (specifier from the module id), sorted by specifier. */
export function dependencyRows(
  projectId: string,
  items: readonly Omit<Dependency, "specifier">[],
): DependencyRow[] {
  return items
    .map((item) => ({
      projectId,
      // The request schema checked every module id.
      specifier: parseDependencyModuleId(item.module_id)?.specifier ?? item.name,
      moduleId: item.module_id,
      name: item.name,
      version: item.version,
      sha256: item.sha256,
      size: item.size,
      requires: JSON.stringify([...new Set(item.requires)].sort()),
    }))
    .sort((a, b) => (a.specifier < b.specifier ? -1 : a.specifier > b.specifier ? 1 : 0));
}

/** Whether two sets of rows (each sorted by specifier) are the same set. */
export function sameRows(a: readonly DependencyRow[], b: readonly DependencyRow[]): boolean {
  return (
    a.length === b.length &&
    a.every((row, i) => {
      const other = b[i] as DependencyRow;
      return (
        row.specifier === other.specifier &&
        row.moduleId === other.moduleId &&
        row.name === other.name &&
        row.version === other.version &&
        row.sha256 === other.sha256 &&
        row.size === other.size &&
        row.requires === other.requires
      );
    })
  );
}

/** Splits rows into multi-row inserts that respect D1's parameter and statement-size limits. */
function chunkRows(rows: readonly DependencyRow[]): DependencyRow[][] {
  const chunks: DependencyRow[][] = [];
  let current: DependencyRow[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = 200 + row.specifier.length + row.moduleId.length * 2 + row.requires.length;
    if (
      current.length > 0 &&
      ((current.length + 1) * PARAMS_PER_ROW > D1_MAX_PARAMS || bytes + size > MAX_STATEMENT_BYTES)
    ) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Makes `rows` the project's whole dependency set: one `batch()` (D1's transaction) that deletes
 * the old rows and inserts the new ones, so a reader sees the old set or the new one, never a mix.
 * Their blobs are marked committed in it (kept for good); each row's `size` is read from its
 * blob's row, so a blob the clean-up took since it was checked aborts the batch: false then.
 */
export async function replaceDependencies(
  db: Db,
  projectId: string,
  rows: readonly DependencyRow[],
): Promise<boolean> {
  const remove = db.delete(projectDependencies).where(eq(projectDependencies.projectId, projectId));
  const inserts = chunkRows(rows).map((chunk) =>
    db
      .insert(projectDependencies)
      .values(chunk.map((row) => ({ ...row, size: liveBlobSize(projectId, row.sha256) }))),
  );
  const commitBlobs = markCommitted(
    db,
    projectId,
    rows.map((row) => row.sha256),
  );
  try {
    await db.batch([remove, ...inserts, ...commitBlobs]);
    return true;
  } catch (err) {
    if (failedWith(err, "NOT NULL constraint failed: project_dependencies.size")) return false;
    throw err;
  }
}

/**
 * A dependency module as the preview build links it (`Internal.getDependencies`): `id` is the
 * module id (`npm:<name>@<version>[/<subpath>]`), `specifier` what an app or another dependency
 * requires to get it, `sha256` the project blob holding its CommonJS body (`pack`, `packOffset`:
 * where that is, schema/blob-location.ts), `requires` the bare specifiers that body requires.
 */
export type AppDependency = StoredPlace & {
  id: string;
  specifier: string;
  name: string;
  version: string;
  sha256: string;
  size: number;
  requires: string[];
};

/** A project's dependency modules for the preview build, sorted by specifier ([] for no project). */
export async function dependenciesForBuild(db: Db, projectId: string): Promise<AppDependency[]> {
  const rows = await db
    .select({ dependency: projectDependencies, pack: mirrorBlobs.pack, packOffset: mirrorBlobs.packOffset })
    .from(projectDependencies)
    // A left join on the blob row's primary key: a dependency whose blob has no row reads it as its own object.
    .leftJoin(
      mirrorBlobs,
      and(
        eq(mirrorBlobs.projectId, projectDependencies.projectId),
        eq(mirrorBlobs.sha256, projectDependencies.sha256),
      ),
    )
    .where(eq(projectDependencies.projectId, projectId))
    .orderBy(asc(projectDependencies.specifier))
    .all();
  return rows.map(({ dependency: row, pack, packOffset }) => ({
    id: row.moduleId,
    specifier: row.specifier,
    name: row.name,
    version: row.version,
    sha256: row.sha256,
    size: row.size,
    pack,
    packOffset,
    requires: JSON.parse(row.requires) as string[],
  }));
}
