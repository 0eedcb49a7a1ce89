import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { projects } from "./projects";

/**
 * The mirror index with its history: a row says "at revisions [revision_from, revision_to) `path`
 * had this content". The current tree is `revision_to IS NULL`; any older revision can be read back,
 * which is what a preview of a given revision and the repo-sync snapshot need.
 */
export const mirrorFiles = sqliteTable(
  "mirror_files",
  {
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    path: text("path").notNull(),
    revisionFrom: integer("revision_from").notNull(),
    revisionTo: integer("revision_to"),
    sha256: text("sha256").notNull(),
    size: integer("size").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.path, t.revisionFrom] }),
    index("mirror_files_current_idx").on(t.projectId, t.revisionTo, t.path),
  ],
);

/**
 * Blobs uploaded to R2 under the project's prefix, so "which are missing" is one indexed query, and
 * where each one's bytes are (schema/blob-location.ts): `pack` null — its own object at
 * `r2Keys.blob(project_id, sha256)` (a single `PUT /blobs/:sha256`, and every blob stored before
 * packs); otherwise `size` bytes at `pack_offset` in the pack `r2Keys.pack(project_id, pack)`, the one
 * object a batch upload writes. A row's location never changes once written.
 */
export const mirrorBlobs = sqliteTable(
  "mirror_blobs",
  {
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    sha256: text("sha256").notNull(),
    size: integer("size").notNull(),
    createdAt: text("created_at").notNull(),
    /** The id of the pack holding the blob (`pak_…`); null: the blob is its own object. */
    pack: text("pack"),
    /** Where in the pack the blob's bytes start; null when `pack` is. */
    packOffset: integer("pack_offset"),
    /**
     * `uncommitted`: uploaded, and no revision or dependency set names it yet — it counts toward the
     * project's allowance of uncommitted bytes and the daily clean-up deletes it once it is
     * `UNCOMMITTED_BLOB_TTL_HOURS` old (schema/limits.ts); `committed`: a revision (old ones too) or
     * a dependency set named it, so it is kept; `collecting`: being deleted by the clean-up — no
     * commit may name it any more, and an upload of the same bytes does not revive it.
     */
    state: text("state", { enum: ["uncommitted", "committed", "collecting"] })
      .notNull()
      // Written into the SQL rather than bound: an insert binds one parameter fewer per row.
      .default(sql`'uncommitted'`),
  },
  (t) => [
    primaryKey({ columns: [t.projectId, t.sha256] }),
    // Only the blobs not committed: a project's uncommitted bytes, and the clean-up's candidates.
    index("mirror_blobs_uncommitted_idx").on(t.projectId, t.createdAt).where(sql`state <> 'committed'`),
  ],
);

/** One row per accepted change set: the revision it produced and the repo-sync job that checks it. */
export const mirrorSyncs = sqliteTable(
  "mirror_syncs",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    /** NOT NULL on purpose: a lost optimistic-concurrency race inserts NULL here and aborts the whole batch. */
    revision: integer("revision").notNull(),
    branch: text("branch"),
    commit: text("commit"),
    message: text("message"),
    status: text("status", { enum: ["queued", "running", "succeeded", "failed"] }).notNull(),
    stats: text("stats"),
    error: text("error"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("mirror_syncs_project_idx").on(t.projectId, t.revision)],
);
