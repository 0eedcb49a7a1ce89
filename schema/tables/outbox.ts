import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * The dispatch outbox: one row per accepted job that has not finished yet (a repo sync, an AI job,
 * a preview's first build or a live preview's rebuild of a commit), holding the queue message that
 * starts it. A row is written with the job (in the same D1 batch for syncs, AI jobs and rebuilds;
 * just before the session row for a preview's start, whose insert is the cap-checked statement),
 * touched whenever a consumer starts the job, and deleted when the job ends. The `JobSweeper` Durable Object re-sends the message of a row whose job has
 * shown no sign of life by `check_at`, and fails the job with `stranded` after too many re-sends,
 * so a message lost between accepting and queueing (a crash, a queue that lost it) never strands
 * its job. No foreign key: a row whose job is gone is simply dropped by the sweeper.
 */
export const jobOutbox = sqliteTable(
  "job_outbox",
  {
    /**
     * The sync, AI job or preview session id (their prefixes never collide); `follow:<session id>`
     * for a live session's rebuild of the newest commit (one row per session, replaced by each
     * commit: worker-api/src/dispatch/outbox-store.ts `followOutboxUpsert`).
     */
    jobId: text("job_id").primaryKey(),
    kind: text("kind", { enum: ["repo.sync", "ai.run", "preview.build"] }).notNull(),
    /** The queue message (JSON) that starts the job; re-sent as is. */
    message: text("message").notNull(),
    /** Re-sends since the job last showed a sign of life (accepted, or a consumer starting it). */
    attempts: integer("attempts").notNull().default(0),
    /** When the sweeper looks at the row next (ISO time). */
    checkAt: text("check_at").notNull(),
    createdAt: text("created_at").notNull(),
  },
  (t) => [index("job_outbox_check_idx").on(t.checkAt)],
);
