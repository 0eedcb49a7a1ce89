import { WorkerEntrypoint } from "cloudflare:workers";
import type { AiResult } from "../../schema/api/ai";
import type { JobError, SyncStats } from "../../schema/api/mirror";
import type { BundleSummary } from "../../schema/api/previews";
import type { NotifyMessage } from "../../schema/queue-messages";
import { type AiJobRow, selectionOf } from "./ai/jobs";
import type { Env } from "./env";
import { sha256Hex } from "./lib/crypto";
import { log } from "./lib/log";
import { listFilesAt, type MirrorFileRow } from "./mirror/mirror-store";
import { notify } from "./notifications/notify";
import { previewStub } from "./preview/stub";

export type SyncOutcome = { status: "succeeded"; stats: SyncStats } | { status: "failed"; error: JobError };
export type AiOutcome = { status: "succeeded"; result: AiResult } | { status: "failed"; error: JobError };
export type SyncTask = { sync_id: string; project_id: string; revision: number };
export type AiTask = {
  job_id: string;
  project_id: string;
  type: AiJobRow["type"];
  file_path: string;
  sha256: string;
  selection: { start_line: number; end_line: number } | null;
};

export type PreviewOutcome =
  | { status: "ready"; bundle: BundleSummary }
  | { status: "failed"; error: JobError };
export type PreviewTask = {
  session_id: string;
  platform: "ios" | "android" | "web";
  revision: number;
  project: { id: string; name: string; framework: string; entry: string | null };
};

const COMMENT_MAX = 10_000;

/**
 * The non-public RPC surface worker-consumers reports through (service binding, entrypoint
 * "Internal"); it is not routed over HTTP. worker-api stays the only writer of D1. Every method is
 * idempotent, keyed by the IDs in the queue message: state only moves forward through conditional
 * updates, and notifications have IDs derived from their event, so a duplicate delivery changes
 * nothing and stores no second notification.
 */
export class Internal extends WorkerEntrypoint<Env> {
  /** The files of a project at a revision, sorted by path. */
  async getMirrorFiles(projectId: string, revision: number): Promise<MirrorFileRow[]> {
    return listFilesAt(this.env, projectId, { revision });
  }

  /** Marks a sync running; null when it no longer needs work (finished, or its project is gone). */
  async startSync(syncId: string): Promise<SyncTask | null> {
    const row = await this.env.DB.prepare(
      `UPDATE mirror_syncs SET status = 'running', updated_at = ?1 WHERE id = ?2 AND status IN ('queued', 'running')
       RETURNING id, project_id, revision`,
    )
      .bind(new Date().toISOString(), syncId)
      .first<{ id: string; project_id: string; revision: number }>();
    return row ? { sync_id: row.id, project_id: row.project_id, revision: row.revision } : null;
  }

  /** Records a sync's end state once; tells the owner (`repo_sync_succeeded` / `repo_sync_failed`). */
  async recordSyncResult(syncId: string, outcome: SyncOutcome): Promise<{ changed: boolean }> {
    const now = new Date().toISOString();
    const result = await this.env.DB.prepare(
      `UPDATE mirror_syncs SET status = ?1, stats = ?2, error = ?3, updated_at = ?4
       WHERE id = ?5 AND status IN ('queued', 'running')`,
    )
      .bind(
        outcome.status,
        outcome.status === "succeeded" ? JSON.stringify(outcome.stats) : null,
        outcome.status === "failed" ? JSON.stringify(outcome.error) : null,
        now,
        syncId,
      )
      .run();
    const row = await this.env.DB.prepare(
      `SELECT s.status, s.revision, s.project_id, p.owner_id, p.name, s.error FROM mirror_syncs s
       JOIN projects p ON p.id = s.project_id WHERE s.id = ?`,
    )
      .bind(syncId)
      .first<{
        status: string;
        revision: number;
        project_id: string;
        owner_id: string;
        name: string;
        error: string | null;
      }>();
    // Re-sent on a duplicate report too: the notification id is derived from the event, so the
    // consumer stores it once, and a notification lost after the first report still arrives.
    if (row && row.status === outcome.status) {
      await notify(this.env, {
        userId: row.owner_id,
        type: outcome.status === "succeeded" ? "repo_sync_succeeded" : "repo_sync_failed",
        projectId: row.project_id,
        payload: {
          sync_id: syncId,
          project_name: row.name,
          revision: row.revision,
          ...(outcome.status === "failed" ? { error_code: outcome.error.code } : {}),
        },
        eventKey: `sync:${syncId}:${outcome.status}`,
      });
    }
    return { changed: result.meta.changes > 0 };
  }

  /** Marks an AI job running and returns what the consumer needs; null when it needs no work. */
  async startAiJob(jobId: string): Promise<AiTask | null> {
    const row = await this.env.DB.prepare(
      `UPDATE ai_jobs SET status = 'running', updated_at = ?1 WHERE id = ?2 AND status IN ('queued', 'running')
       RETURNING *`,
    )
      .bind(new Date().toISOString(), jobId)
      .first<AiJobRow>();
    if (!row) return null;
    return {
      job_id: row.id,
      project_id: row.project_id,
      type: row.type,
      file_path: row.file_path,
      sha256: row.sha256,
      selection: selectionOf(row),
    };
  }

  /**
   * Records an AI job's end state once, adds the summary as an `ai` comment when the job asked for
   * it, and tells the user (`ai_job_succeeded` / `ai_job_failed`).
   */
  async finishAiJob(jobId: string, outcome: AiOutcome): Promise<{ changed: boolean }> {
    const db = this.env.DB;
    const now = new Date().toISOString();
    const result = await db
      .prepare(
        `UPDATE ai_jobs SET status = ?1, result = ?2, error = ?3, updated_at = ?4
         WHERE id = ?5 AND status IN ('queued', 'running')`,
      )
      .bind(
        outcome.status,
        outcome.status === "succeeded" ? JSON.stringify(outcome.result) : null,
        outcome.status === "failed" ? JSON.stringify(outcome.error) : null,
        now,
        jobId,
      )
      .run();
    const row = await db.prepare("SELECT * FROM ai_jobs WHERE id = ?").bind(jobId).first<AiJobRow>();
    if (!row || row.status !== outcome.status) return { changed: result.meta.changes > 0 };

    if (outcome.status === "succeeded" && row.post_as_comment === 1) {
      const lastLine = Math.max(1, ...outcome.result.sections.map((s) => s.line_end));
      await db
        .prepare(
          `INSERT INTO comments (id, project_id, author_type, author_id, file_path, line_start, line_end, body, created_at, updated_at)
           VALUES (?, ?, 'ai', NULL, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        )
        .bind(
          `cmt_${(await sha256Hex(`ai-comment\n${jobId}`)).slice(0, 32)}`,
          row.project_id,
          row.file_path,
          row.selection_start ?? 1,
          row.selection_end ?? lastLine,
          outcome.result.summary.slice(0, COMMENT_MAX) || "(no summary)",
          now,
          now,
        )
        .run();
    }
    await notify(this.env, {
      userId: row.user_id,
      type: outcome.status === "succeeded" ? "ai_job_succeeded" : "ai_job_failed",
      projectId: row.project_id,
      payload: {
        job_id: jobId,
        job_type: row.type,
        file_path: row.file_path,
        ...(outcome.status === "failed" ? { error_code: outcome.error.code } : {}),
      },
      eventKey: `ai:${jobId}:${outcome.status}`,
    });
    return { changed: result.meta.changes > 0 };
  }

  /** Stores a queued notification; a redelivery of the same notification id stores nothing. */
  async createNotification(message: NotifyMessage): Promise<{ created: boolean }> {
    const result = await this.env.DB.prepare(
      `INSERT INTO notifications (id, user_id, type, project_id, payload, created_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?2)
       ON CONFLICT DO NOTHING`,
    )
      .bind(
        message.notification_id,
        message.user_id,
        message.type,
        message.project_id ?? null,
        JSON.stringify(message.payload),
        message.created_at,
      )
      .run();
    if (result.meta.changes === 0)
      log("info", "notification already stored or user gone", { notification_id: message.notification_id });
    return { created: result.meta.changes > 0 };
  }

  /**
   * Moves a preview to `building` and returns what the build needs; null when the session no longer
   * wants a build (already built, cancelled, expired, or its project was deleted).
   */
  async startPreviewBuild(sessionId: string): Promise<PreviewTask | null> {
    const stub = previewStub(this.env, sessionId);
    const state = await stub.get();
    if (!state || (state.status !== "pending" && state.status !== "building")) return null;
    const project = await this.env.DB.prepare("SELECT id, name, framework, entry FROM projects WHERE id = ?")
      .bind(state.project_id)
      .first<PreviewTask["project"]>();
    if (!project) {
      await stub.report({
        status: "failed",
        error: { code: "project_deleted", message: "The project was deleted." },
      });
      return null;
    }
    // A redelivery finds it building already: leave its stage where the first run got it.
    if (state.status === "pending")
      await stub.report({ status: "building", stage: "resolving_files", progress: 0.1 });
    return { session_id: sessionId, platform: state.platform, revision: state.revision, project };
  }

  /** A build's progress (`stage` is free text such as `writing_manifest`); ignored unless building. */
  async reportPreviewStage(
    sessionId: string,
    stage: string,
    progress: number,
  ): Promise<{ applied: boolean }> {
    const { applied } = await previewStub(this.env, sessionId).report({
      status: "building",
      stage,
      progress,
    });
    return { applied };
  }

  /** A build's end: `ready` with its bundle summary, or `failed`; late or duplicate reports are refused. */
  async reportPreviewResult(sessionId: string, outcome: PreviewOutcome): Promise<{ applied: boolean }> {
    const { applied } = await previewStub(this.env, sessionId).report(outcome);
    return { applied };
  }

  /** A preview's current status (null when unknown): lets a late build tell "done already" from "over". */
  async previewStatus(sessionId: string): Promise<string | null> {
    return (await previewStub(this.env, sessionId).get())?.status ?? null;
  }
}
