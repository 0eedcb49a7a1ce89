import { getConfig } from "../config";
import { database } from "../db";
import { armSweeper } from "../dispatch/arm";
import { outboxInsert, removeOutboxRow } from "../dispatch/outbox-store";
import { ApiError } from "../lib/api-error";
import { newId } from "../lib/ids";
import { describeError, log } from "../lib/log";
import { decodeCursor, toPage } from "../lib/pagination";
import { findCurrentFile } from "../mirror/mirror-store";
import type { AppRouteHandler } from "../openapi";
import { loadOwnedProject } from "../projects/project-store";
import { enqueue } from "../queues/enqueue";
import { enforceRateLimit } from "../rate-limit/limits";
import { deleteAiJob, insertAiJob, listProjectAiJobs, loadUserAiJob, presentAiJob } from "./ai-job-store";
import type * as routes from "./routes";

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const { userId } = c.get("auth");
  const body = c.req.valid("json");
  const config = getConfig(c.env);
  const db = database(c.env);
  const project = await loadOwnedProject(db, userId, body.project_id);
  const file = await findCurrentFile(db, project.id, body.file_path);
  if (!file)
    throw new ApiError("FILE_NOT_FOUND", "That file is not in the project's mirror.", {
      path: body.file_path,
    });
  if (file.size > config.maxAiInputBytes) {
    throw new ApiError(
      "PAYLOAD_TOO_LARGE",
      `AI documentation takes files of at most ${config.maxAiInputBytes} bytes.`,
      {
        size: file.size,
        max_bytes: config.maxAiInputBytes,
      },
    );
  }
  await enforceRateLimit(c.env, `ai-jobs:user:${userId}`, config.aiJobs);

  const id = newId("job");
  const message = { kind: "ai.run", job_id: id } as const;
  const now = new Date().toISOString();
  // The sweeper is armed first and the job's outbox row is written with it: a crash from here on
  // cannot leave the job queued forever (docs/reliability.md, crash recovery).
  await armSweeper(c.env);
  await insertAiJob(
    db,
    {
      id,
      userId,
      projectId: project.id,
      type: body.type,
      filePath: body.file_path,
      sha256: file.sha256,
      selectionStart: body.selection?.start_line ?? null,
      selectionEnd: body.selection?.end_line ?? null,
      postAsComment: body.post_as_comment,
      status: "queued",
      createdAt: now,
      updatedAt: now,
    },
    outboxInsert(db, message),
  );
  try {
    await enqueue(c.env, message);
  } catch (err) {
    log("error", "ai job not queued", {
      request_id: c.get("requestId"),
      job_id: id,
      ...describeError(err),
    });
    await deleteAiJob(db, id);
    await removeOutboxRow(db, id);
    throw new ApiError(
      "SERVICE_UNAVAILABLE",
      "The job could not be queued; try again shortly.",
      {},
      { "retry-after": "5" },
    );
  }
  return c.json({ job_id: id, status: "queued" as const }, 202);
};

export const read: AppRouteHandler<typeof routes.read> = async (c) => {
  const row = await loadUserAiJob(database(c.env), c.get("auth").userId, c.req.valid("param").id);
  return c.json(presentAiJob(row), 200);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const { userId } = c.get("auth");
  const { project_id, limit, cursor } = c.req.valid("query");
  const db = database(c.env);
  const project = await loadOwnedProject(db, userId, project_id);
  const rows = await listProjectAiJobs(db, userId, project.id, { after: decodeCursor(cursor), limit });
  return c.json(
    toPage(rows, limit, (r) => r.id, presentAiJob),
    200,
  );
};
