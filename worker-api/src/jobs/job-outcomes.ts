// How a job's end is recorded — by a consumer's report (the `Internal` entrypoint), by the
// dead-letter handler (through the same entrypoint) and by the dispatch sweeper giving up on
// stranded work — so each end is stored once and notifies once, whoever reports it first.
import type { AiResult } from "../../../schema/api/ai";
import type { JobError, SyncStats } from "../../../schema/api/mirror";
import type { BundleSummary } from "../../../schema/api/previews";
import { aiJobs, mirrorSyncs } from "../../../schema/tables";
import { insertComment } from "../comments/comment-store";
import { type Db, database } from "../db";
import { outboxSettle } from "../dispatch/outbox-store";
import type { Env } from "../env";
import { sha256Hex } from "../lib/crypto";
import { notify } from "../notifications/notify";
import { isTerminal } from "../preview/session-rules";
import type { PreviewState } from "../preview/session-state";
import { previewStub } from "../preview/stub";
import { findProject } from "../projects/project-store";
import { finishJob } from "./job-state-store";

export type SyncOutcome = { status: "succeeded"; stats: SyncStats } | { status: "failed"; error: JobError };
export type AiOutcome = { status: "succeeded"; result: AiResult } | { status: "failed"; error: JobError };
/** `revision`: which revision the build was of (the session's own when absent: its first build). */
export type PreviewOutcome =
  | { status: "ready"; bundle: BundleSummary; revision?: number }
  | { status: "failed"; error: JobError; revision?: number };

const COMMENT_MAX = 10_000;

/** Records a sync's end state once; tells the owner (`repo_sync_succeeded` / `repo_sync_failed`). */
export async function recordSyncOutcome(
  env: Env,
  syncId: string,
  outcome: SyncOutcome,
): Promise<{ changed: boolean }> {
  const db = database(env);
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
    await notify(env, {
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

/**
 * Records an AI job's end state once, adds the summary as an `ai` comment when the job asked for
 * it, and tells the user (`ai_job_succeeded` / `ai_job_failed`).
 */
export async function recordAiOutcome(
  env: Env,
  jobId: string,
  outcome: AiOutcome,
): Promise<{ changed: boolean }> {
  const db = database(env);
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
  await notify(env, {
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

/**
 * A build's end: `ready` with its bundle summary, or `failed`; late or duplicate reports are refused
 * by the session's object, which also notifies. Once the build is over (ready, or the session
 * ended) its outbox row goes, and so does its follow row once the session serves, or recorded as
 * failed, the revision that row asks for.
 */
export async function recordPreviewOutcome(
  env: Env,
  sessionId: string,
  outcome: PreviewOutcome,
): Promise<{ applied: boolean }> {
  const { applied, state } = await previewStub(env, sessionId).report(outcome);
  if (state) await settlePreviewRows(database(env), state);
  return { applied };
}

/** Deletes the outbox rows `state` has no more work for (none while the first build is under way). */
export async function settlePreviewRows(db: Db, state: PreviewState): Promise<void> {
  if (isTerminal(state.status)) await outboxSettle(db, state.session_id, null);
  else if (state.status === "ready")
    await outboxSettle(db, state.session_id, Math.max(state.revision, state.build_error?.revision ?? 0));
}
