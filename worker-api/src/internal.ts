import { WorkerEntrypoint } from "cloudflare:workers";
import type { AiResult } from "../../schema/api/ai";
import type { JobError, SyncStats } from "../../schema/api/mirror";
import type { BundleSummary } from "../../schema/api/previews";
import type { NotifyMessage } from "../../schema/queue-messages";
import { aiJobs, mirrorSyncs } from "../../schema/tables";
import { type AiJobRow, selectionOf } from "./ai/ai-job-store";
import { insertComment } from "./comments/comment-store";
import { database } from "./db";
import type { Env } from "./env";
import { finishJob, startJob } from "./jobs/job-state-store";
import { sha256Hex } from "./lib/crypto";
import { log } from "./lib/log";
import { listFilesAt, type MirrorFileEntry } from "./mirror/mirror-store";
import { insertNotification } from "./notifications/notification-store";
import { notify } from "./notifications/notify";
import { previewStub } from "./preview/stub";
import { findProject } from "./projects/project-store";

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
 * updates (jobs/job-state-store), and notifications have IDs derived from their event, so a
 * duplicate delivery changes nothing and stores no second notification.
 */
export class Internal extends WorkerEntrypoint<Env> {
  /** The files of a project at a revision, sorted by path. */
  async getMirrorFiles(projectId: string, revision: number): Promise<MirrorFileEntry[]> {
    return listFilesAt(database(this.env), projectId, { revision });
  }

  /** Marks a sync running; null when it no longer needs work (finished, or its project is gone). */
  async startSync(syncId: string): Promise<SyncTask | null> {
    const row = await startJob(database(this.env), mirrorSyncs, syncId);
    return row ? { sync_id: row.id, project_id: row.projectId, revision: row.revision } : null;
  }

  /** Records a sync's end state once; tells the owner (`repo_sync_succeeded` / `repo_sync_failed`). */
  async recordSyncResult(syncId: string, outcome: SyncOutcome): Promise<{ changed: boolean }> {
    const db = database(this.env);
    const { changed, row } = await finishJob(
      db,
      mirrorSyncs,
      syncId,
      outcome.status === "succeeded" ? { status: "succeeded", output: outcome.stats } : outcome,
    );
    // Re-sent on a duplicate report too: the notification id is derived from the event, so the
    // consumer stores it once, and a notification lost after the first report still arrives.
    const project = row && row.status === outcome.status ? await findProject(db, row.projectId) : undefined;
    if (row && project) {
      await notify(this.env, {
        userId: project.ownerId,
        type: outcome.status === "succeeded" ? "repo_sync_succeeded" : "repo_sync_failed",
        projectId: row.projectId,
        payload: {
          sync_id: syncId,
          project_name: project.name,
          revision: row.revision,
          ...(outcome.status === "failed" ? { error_code: outcome.error.code } : {}),
        },
        eventKey: `sync:${syncId}:${outcome.status}`,
      });
    }
    return { changed };
  }

  /** Marks an AI job running and returns what the consumer needs; null when it needs no work. */
  async startAiJob(jobId: string): Promise<AiTask | null> {
    const row = await startJob(database(this.env), aiJobs, jobId);
    if (!row) return null;
    return {
      job_id: row.id,
      project_id: row.projectId,
      type: row.type,
      file_path: row.filePath,
      sha256: row.sha256,
      selection: selectionOf(row),
    };
  }

  /**
   * Records an AI job's end state once, adds the summary as an `ai` comment when the job asked for
   * it, and tells the user (`ai_job_succeeded` / `ai_job_failed`).
   */
  async finishAiJob(jobId: string, outcome: AiOutcome): Promise<{ changed: boolean }> {
    const db = database(this.env);
    const { changed, row } = await finishJob(
      db,
      aiJobs,
      jobId,
      outcome.status === "succeeded" ? { status: "succeeded", output: outcome.result } : outcome,
    );
    if (!row || row.status !== outcome.status) return { changed };

    if (outcome.status === "succeeded" && row.postAsComment) {
      const lastLine = Math.max(1, ...outcome.result.sections.map((s) => s.line_end));
      const now = new Date().toISOString();
      // Its id is derived from the job, so a redelivered report adds the comment once.
      await insertComment(db, {
        id: `cmt_${(await sha256Hex(`ai-comment\n${jobId}`)).slice(0, 32)}`,
        projectId: row.projectId,
        authorType: "ai",
        authorId: null,
        filePath: row.filePath,
        lineStart: row.selectionStart ?? 1,
        lineEnd: row.selectionEnd ?? lastLine,
        body: outcome.result.summary.slice(0, COMMENT_MAX) || "(no summary)",
        createdAt: now,
        updatedAt: now,
      });
    }
    await notify(this.env, {
      userId: row.userId,
      type: outcome.status === "succeeded" ? "ai_job_succeeded" : "ai_job_failed",
      projectId: row.projectId,
      payload: {
        job_id: jobId,
        job_type: row.type,
        file_path: row.filePath,
        ...(outcome.status === "failed" ? { error_code: outcome.error.code } : {}),
      },
      eventKey: `ai:${jobId}:${outcome.status}`,
    });
    return { changed };
  }

  /** Stores a queued notification; a redelivery of the same notification id stores nothing. */
  async createNotification(message: NotifyMessage): Promise<{ created: boolean }> {
    const created = await insertNotification(database(this.env), {
      id: message.notification_id,
      userId: message.user_id,
      type: message.type,
      projectId: message.project_id ?? null,
      payload: JSON.stringify(message.payload),
      createdAt: message.created_at,
    });
    if (!created)
      log("info", "notification already stored or user gone", { notification_id: message.notification_id });
    return { created };
  }

  /**
   * Moves a preview to `building` and returns what the build needs; null when the session no longer
   * wants a build (already built, cancelled, expired, or its project was deleted).
   */
  async startPreviewBuild(sessionId: string): Promise<PreviewTask | null> {
    const stub = previewStub(this.env, sessionId);
    const state = await stub.get();
    if (!state || (state.status !== "pending" && state.status !== "building")) return null;
    const project = await findProject(database(this.env), state.project_id);
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
    const { id, name, framework, entry } = project;
    return {
      session_id: sessionId,
      platform: state.platform,
      revision: state.revision,
      project: { id, name, framework, entry },
    };
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
