import { WorkerEntrypoint } from "cloudflare:workers";
import type { BundleSummary, PreviewError } from "../../schema/api/previews";
import type { NotifyMessage } from "../../schema/queue-messages";
import { aiJobs, mirrorSyncs } from "../../schema/tables";
import { type AiJobRow, selectionOf } from "./ai/ai-job-store";
import { database } from "./db";
import { type AppDependency, dependenciesForBuild } from "./dependencies/dependency-store";
import { followOutboxTouch, outboxTouch, touchOutboxRow } from "./dispatch/outbox-store";
import type { Env } from "./env";
import {
  type AiOutcome,
  type PreviewOutcome,
  recordAiOutcome,
  recordPreviewOutcome,
  recordSyncOutcome,
  type SyncOutcome,
  settlePreviewRows,
} from "./jobs/job-outcomes";
import { startJob } from "./jobs/job-state-store";
import { log } from "./lib/log";
import { findBlobPlace } from "./mirror/blob-store";
import { listStoredFilesAt, type StoredFileEntry } from "./mirror/mirror-store";
import { insertNotification } from "./notifications/notification-store";
import { previewStub } from "./preview/stub";
import { findProject } from "./projects/project-store";

export type { AiOutcome, PreviewOutcome, SyncOutcome };
export type SyncTask = { sync_id: string; project_id: string; revision: number };
export type AiTask = {
  job_id: string;
  project_id: string;
  type: AiJobRow["type"];
  file_path: string;
  sha256: string;
  /** Where that content is (schema/blob-location.ts); all null when the blob has no row. */
  size: number | null;
  pack: string | null;
  pack_offset: number | null;
  selection: { start_line: number; end_line: number } | null;
};

export type PreviewTask = {
  session_id: string;
  platform: "ios" | "android" | "web";
  revision: number;
  /** An update of a ready session (which keeps serving `previous_revision` until this one is built). */
  update?: boolean;
  previous_revision?: number | null;
  project: { id: string; name: string; framework: string; entry: string | null };
};
/** A preview build's end as the consumer reports it (PreviewOutcome plus which revision, and where it failed). */
export type PreviewBuildOutcome =
  | { status: "ready"; bundle: BundleSummary; revision?: number }
  | { status: "failed"; error: PreviewError; revision?: number };

/**
 * The non-public RPC surface worker-consumers reports through (service binding, entrypoint
 * "Internal"); it is not routed over HTTP. worker-api stays the only writer of D1. Every method is
 * idempotent, keyed by the IDs in the queue message: state only moves forward through conditional
 * updates (jobs/job-state-store), and notifications have IDs derived from their event, so a
 * duplicate delivery changes nothing and stores no second notification. Starting a job is a sign of
 * life for the dispatch sweeper (its outbox row is touched), ending one removes its outbox row; how
 * an end is recorded is shared with the sweeper (jobs/job-outcomes).
 */
export class Internal extends WorkerEntrypoint<Env> {
  /** The files of a project at a revision, sorted by path, each with where its content is. */
  async getMirrorFiles(projectId: string, revision: number): Promise<StoredFileEntry[]> {
    return listStoredFilesAt(database(this.env), projectId, revision);
  }

  /**
   * The app's pre-bundled dependencies (docs/previews.md §4), sorted by specifier: the build links
   * a bare specifier to the one whose `specifier` it is and copies its blob into `modules/<key>.js`.
   */
  async getDependencies(projectId: string): Promise<AppDependency[]> {
    return dependenciesForBuild(database(this.env), projectId);
  }

  /** Marks a sync running; null when it no longer needs work (finished, or its project is gone). */
  async startSync(syncId: string): Promise<SyncTask | null> {
    const row = await startJob(database(this.env), mirrorSyncs, syncId);
    return row ? { sync_id: row.id, project_id: row.projectId, revision: row.revision } : null;
  }

  /** Records a sync's end state once; tells the owner (`repo_sync_succeeded` / `repo_sync_failed`). */
  async recordSyncResult(syncId: string, outcome: SyncOutcome): Promise<{ changed: boolean }> {
    return recordSyncOutcome(this.env, syncId, outcome);
  }

  /** Marks an AI job running and returns what the consumer needs; null when it needs no work. */
  async startAiJob(jobId: string): Promise<AiTask | null> {
    const db = database(this.env);
    const row = await startJob(db, aiJobs, jobId);
    if (!row) return null;
    const place = await findBlobPlace(db, row.projectId, row.sha256);
    return {
      job_id: row.id,
      project_id: row.projectId,
      type: row.type,
      file_path: row.filePath,
      sha256: row.sha256,
      size: place?.size ?? null,
      pack: place?.pack ?? null,
      pack_offset: place?.packOffset ?? null,
      selection: selectionOf(row),
    };
  }

  /**
   * Records an AI job's end state once, adds the summary as an `ai` comment when the job asked for
   * it, and tells the user (`ai_job_succeeded` / `ai_job_failed`).
   */
  async finishAiJob(jobId: string, outcome: AiOutcome): Promise<{ changed: boolean }> {
    return recordAiOutcome(this.env, jobId, outcome);
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
   * Says whether a build of `revision` (the session's own when absent) should run and returns what
   * it needs: the first build (pending → building) or an update of a ready session to a newer
   * revision (it stays ready, stage `updating`; `previous_revision` is the one it serves, whose
   * manifest's modules the build reuses). Null when the session no longer wants it: built already,
   * superseded by a newer revision, cancelled, expired, or its project was deleted.
   */
  async startPreviewBuild(sessionId: string, revision?: number): Promise<PreviewTask | null> {
    const db = database(this.env);
    const stub = previewStub(this.env, sessionId);
    const state = await stub.get();
    // No state yet: the start may still be on its way (or died before creating the object); the
    // sweeper decides about its outbox row, so leave it.
    if (!state) return null;
    if (state.status !== "pending" && state.status !== "building") {
      // The first build is over (ready, or the session ended): its outbox row has no more work,
      // nor has the follow row of a revision it serves already.
      await settlePreviewRows(db, state);
      if (state.status !== "ready") return null;
    }
    const project = await findProject(db, state.project_id);
    if (!project) {
      await recordPreviewOutcome(this.env, sessionId, {
        status: "failed",
        error: { code: "project_deleted", message: "The project was deleted." },
      });
      return null;
    }
    // A redelivery finds it building already: beginBuild leaves its stage where the first run got it.
    const begun = await stub.beginBuild(revision ?? state.revision);
    if (!begun) return null;
    // Signs of life for the sweeper: the first build's row, and the follow row of a revision newer
    // than the session's own (an update, or a commit that landed during the first build).
    const first = begun.kind === "first" ? outboxTouch(db, sessionId) : null;
    const follow = begun.revision > state.revision ? followOutboxTouch(db, sessionId, begun.revision) : null;
    if (first && follow) await db.batch([first, follow]);
    else if (first ?? follow) await (first ?? follow);
    const { id, name, framework, entry } = project;
    return {
      session_id: sessionId,
      platform: state.platform,
      revision: begun.revision,
      update: begun.kind === "update",
      previous_revision: begun.previous_revision,
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
    if (applied) await touchOutboxRow(database(this.env), sessionId);
    return { applied };
  }

  /**
   * A build's end: `ready` with its bundle summary, or `failed` (with where, for a build error);
   * `revision` says which revision was built (the session's own when absent). Late, duplicate or
   * superseded reports are refused; a ready session swaps to a newer revision that built, or keeps
   * serving its last good one and records the update's error.
   */
  async reportPreviewResult(sessionId: string, outcome: PreviewBuildOutcome): Promise<{ applied: boolean }> {
    return recordPreviewOutcome(this.env, sessionId, outcome);
  }

  /** A preview's current status (null when unknown): lets a late build tell "done already" from "over". */
  async previewStatus(sessionId: string): Promise<string | null> {
    return (await previewStub(this.env, sessionId).get())?.status ?? null;
  }
}
