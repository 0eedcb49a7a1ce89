import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./users";

export const projects = sqliteTable(
  "projects",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description"),
    framework: text("framework", { enum: ["expo", "react-native", "web", "other"] }).notNull(),
    entry: text("entry"),
    /** Current mirror revision: 0 for an empty mirror, +1 per accepted change set. */
    mirrorRevision: integer("mirror_revision").notNull().default(0),
    /** The sync that produced the current revision (the optimistic-concurrency witness of a commit). */
    mirrorSyncId: text("mirror_sync_id"),
    mirrorBranch: text("mirror_branch"),
    mirrorCommit: text("mirror_commit"),
    mirrorFileCount: integer("mirror_file_count").notNull().default(0),
    mirrorTotalBytes: integer("mirror_total_bytes").notNull().default(0),
    mirrorUpdatedAt: text("mirror_updated_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("projects_owner_idx").on(t.ownerId, t.id)],
);
