import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { projects } from "./projects";
import { users } from "./users";

/**
 * The D1 index of preview sessions. The live state (stage, progress, version, opened) is in the
 * session's Durable Object; this row is written at start and on terminal states, and is what
 * lists, code look-ups and the per-project cap read.
 */
export const previewSessions = sqliteTable(
  "preview_sessions",
  {
    id: text("id").primaryKey(),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    platform: text("platform", { enum: ["ios", "android", "web"] }).notNull(),
    revision: integer("revision").notNull(),
    status: text("status", {
      enum: ["pending", "building", "ready", "failed", "cancelled", "expired"],
    }).notNull(),
    /** SHA-256 of the normalised 8-letter code; the code itself is never stored. */
    codeHash: text("code_hash").notNull(),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
    expiresAt: text("expires_at").notNull(),
  },
  (t) => [
    uniqueIndex("preview_sessions_code_idx").on(t.codeHash),
    index("preview_sessions_project_idx").on(t.projectId, t.status),
    index("preview_sessions_user_idx").on(t.userId, t.id),
  ],
);

/**
 * Every preview code ever handed out (by hash), with its session. Unlike `preview_sessions` it has
 * no foreign key: deleting a project removes its session rows, and this is what still tells that
 * project's codes apart from codes that never existed, so they answer 410 `PREVIEW_EXPIRED` like
 * any ended session's rather than "unknown code" (and are not counted as guesses). The primary key
 * also keeps a new session from reusing the code of one that is gone.
 */
export const previewCodes = sqliteTable("preview_codes", {
  codeHash: text("code_hash").primaryKey(),
  sessionId: text("session_id").notNull(),
  createdAt: text("created_at").notNull(),
});
