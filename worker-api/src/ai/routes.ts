import { createRoute, z } from "@hono/zod-openapi";
import { AiJob, CreateAiJobRequest, CreateAiJobResponse } from "../../../schema/api/ai";
import { idParam, PageQuery, pageOf } from "../../../schema/api/common";
import { getConfig } from "../config";
import { ApiError, notFound } from "../lib/api-error";
import { newId } from "../lib/ids";
import { describeError, log } from "../lib/log";
import { decodeCursor, toPage } from "../lib/pagination";
import { requireAuth } from "../middleware/auth";
import { idempotent } from "../middleware/idempotency";
import { bearerAuth, createRouter, errorResponses, json } from "../openapi";
import { loadOwnedProject } from "../projects/project-store";
import { enqueue } from "../queues/enqueue";
import { enforceRateLimit } from "../rate-limit/limits";
import { type AiJobRow, presentAiJob } from "./jobs";

const common = { tags: ["AI documentation"], security: bearerAuth };

const create = createRoute({
  ...common,
  method: "post",
  path: "/ai/jobs",
  summary: "Document a mirrored file (or a selection of it)",
  middleware: [requireAuth, idempotent] as const,
  request: { body: { ...json(CreateAiJobRequest), required: true } },
  responses: {
    202: { description: "Queued", ...json(CreateAiJobResponse) },
    ...errorResponses(400, 401, 404, 413, 429),
  },
});

const read = createRoute({
  ...common,
  method: "get",
  path: "/ai/jobs/{id}",
  summary: "A job with its result once it has one",
  middleware: [requireAuth] as const,
  request: { params: z.object({ id: idParam("job") }) },
  responses: { 200: { description: "The job", ...json(AiJob) }, ...errorResponses(401, 404) },
});

const list = createRoute({
  ...common,
  method: "get",
  path: "/ai/jobs",
  summary: "A project's jobs, newest first",
  middleware: [requireAuth] as const,
  request: { query: PageQuery.extend({ project_id: idParam("prj") }) },
  responses: {
    200: { description: "A page of jobs", ...json(pageOf(AiJob)) },
    ...errorResponses(400, 401, 404),
  },
});

export function aiRoutes() {
  const app = createRouter();

  app.openapi(create, async (c) => {
    const { userId } = c.get("auth");
    const body = c.req.valid("json");
    const config = getConfig(c.env);
    const project = await loadOwnedProject(c.env, userId, body.project_id);
    const file = await c.env.DB.prepare(
      "SELECT sha256, size FROM mirror_files WHERE project_id = ? AND revision_to IS NULL AND path = ?",
    )
      .bind(project.id, body.file_path)
      .first<{ sha256: string; size: number }>();
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
    const now = new Date().toISOString();
    await c.env.DB.prepare(
      `INSERT INTO ai_jobs (id, user_id, project_id, type, file_path, sha256, selection_start, selection_end,
         post_as_comment, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
    )
      .bind(
        id,
        userId,
        project.id,
        body.type,
        body.file_path,
        file.sha256,
        body.selection?.start_line ?? null,
        body.selection?.end_line ?? null,
        body.post_as_comment ? 1 : 0,
        now,
        now,
      )
      .run();
    try {
      await enqueue(c.env, { kind: "ai.run", job_id: id });
    } catch (err) {
      log("error", "ai job not queued", {
        request_id: c.get("requestId"),
        job_id: id,
        ...describeError(err),
      });
      await c.env.DB.prepare("DELETE FROM ai_jobs WHERE id = ?").bind(id).run();
      throw new ApiError(
        "SERVICE_UNAVAILABLE",
        "The job could not be queued; try again shortly.",
        {},
        { "retry-after": "5" },
      );
    }
    return c.json({ job_id: id, status: "queued" as const }, 202);
  });

  app.openapi(read, async (c) => {
    const row = await c.env.DB.prepare("SELECT * FROM ai_jobs WHERE id = ? AND user_id = ?")
      .bind(c.req.valid("param").id, c.get("auth").userId)
      .first<AiJobRow>();
    if (!row) throw notFound("Job");
    return c.json(presentAiJob(row), 200);
  });

  app.openapi(list, async (c) => {
    const { userId } = c.get("auth");
    const { project_id, limit, cursor } = c.req.valid("query");
    const project = await loadOwnedProject(c.env, userId, project_id);
    const after = decodeCursor(cursor);
    const { results } = await c.env.DB.prepare(
      "SELECT * FROM ai_jobs WHERE user_id = ?1 AND project_id = ?2 AND (?3 IS NULL OR id < ?3) ORDER BY id DESC LIMIT ?4",
    )
      .bind(userId, project.id, after ?? null, limit + 1)
      .all<AiJobRow>();
    return c.json(
      toPage(results, limit, (r) => r.id, presentAiJob),
      200,
    );
  });

  return app;
}
