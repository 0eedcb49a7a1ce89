import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { projects } from "./projects";
import { users } from "./users";

export const aiJobs = sqliteTable(
  "ai_jobs",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    projectId: text("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    type: text("type", { enum: ["summarize_file", "explain_selection", "document_symbols"] }).notNull(),
    filePath: text("file_path").notNull(),
    /** The file's content hash when the job was created: the job documents exactly that version. */
    sha256: text("sha256").notNull(),
    selectionStart: integer("selection_start"),
    selectionEnd: integer("selection_end"),
    postAsComment: integer("post_as_comment", { mode: "boolean" }).notNull().default(false),
    status: text("status", { enum: ["queued", "running", "succeeded", "failed"] }).notNull(),
    result: text("result"),
    error: text("error"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [index("ai_jobs_user_project_idx").on(t.userId, t.projectId, t.id)],
);
