import { z } from "@hono/zod-openapi";
import { AiJob, CreateAiJobRequest, CreateAiJobResponse } from "../../../schema/api/ai";
import { idParam, PageQuery, pageOf } from "../../../schema/api/common";
import { json } from "../openapi";
import { defineRoute } from "../routing/define-route";

const tags = ["AI documentation"];

export const create = defineRoute({
  method: "post",
  path: "/ai/jobs",
  tags,
  summary: "Document a mirrored file (or a selection of it)",
  auth: "user",
  idempotent: true,
  // PAYLOAD_TOO_LARGE also covers a file over MAX_AI_INPUT_BYTES; RATE_LIMITED the per-user job limit.
  errors: [
    "NOT_FOUND",
    "INVALID_PATH",
    "FILE_NOT_FOUND",
    "PAYLOAD_TOO_LARGE",
    "RATE_LIMITED",
    "SERVICE_UNAVAILABLE",
  ],
  request: { body: { ...json(CreateAiJobRequest), required: true } },
  responses: { 202: { description: "Queued", ...json(CreateAiJobResponse) } },
});

export const read = defineRoute({
  method: "get",
  path: "/ai/jobs/{id}",
  tags,
  summary: "A job with its result once it has one",
  auth: "user",
  errors: ["NOT_FOUND"],
  request: { params: z.object({ id: idParam("job") }) },
  responses: { 200: { description: "The job", ...json(AiJob) } },
});

export const list = defineRoute({
  method: "get",
  path: "/ai/jobs",
  tags,
  summary: "A project's jobs, newest first",
  auth: "user",
  errors: ["NOT_FOUND"],
  request: { query: PageQuery.extend({ project_id: idParam("prj") }) },
  responses: { 200: { description: "A page of jobs", ...json(pageOf(AiJob)) } },
});
