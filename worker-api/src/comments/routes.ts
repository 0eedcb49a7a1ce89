import { z } from "@hono/zod-openapi";
import { Comment, CreateCommentRequest, UpdateCommentRequest } from "../../../schema/api/comments";
import { idParam, PageQuery, pageOf } from "../../../schema/api/common";
import { MirrorPath } from "../../../schema/api/paths";
import { json } from "../openapi";
import { defineRoute } from "../routing/define-route";

const ProjectParams = z.object({ id: idParam("prj") });
const CommentParams = z.object({ id: idParam("cmt") });
const tags = ["Comments"];

export const create = defineRoute({
  method: "post",
  path: "/projects/{id}/comments",
  tags,
  summary: "Comment on a file and line range",
  auth: "user",
  idempotent: true,
  errors: ["NOT_FOUND", "INVALID_PATH"],
  request: { params: ProjectParams, body: { ...json(CreateCommentRequest), required: true } },
  responses: { 201: { description: "The comment", ...json(Comment) } },
});

export const list = defineRoute({
  method: "get",
  path: "/projects/{id}/comments",
  tags,
  summary: "Comments of a project, oldest first, optionally for one file",
  auth: "user",
  errors: ["NOT_FOUND", "INVALID_PATH"],
  request: { params: ProjectParams, query: PageQuery.extend({ file_path: MirrorPath.optional() }) },
  responses: { 200: { description: "A page of comments", ...json(pageOf(Comment)) } },
});

export const update = defineRoute({
  method: "patch",
  path: "/comments/{id}",
  tags,
  summary: "Edit your comment",
  auth: "user",
  errors: ["NOT_FOUND", "FORBIDDEN"],
  request: { params: CommentParams, body: { ...json(UpdateCommentRequest), required: true } },
  responses: { 200: { description: "The comment", ...json(Comment) } },
});

export const remove = defineRoute({
  method: "delete",
  path: "/comments/{id}",
  tags,
  summary: "Delete your comment (or an AI comment on your project)",
  auth: "user",
  errors: ["NOT_FOUND", "FORBIDDEN"],
  request: { params: CommentParams },
  responses: { 204: { description: "Deleted" } },
});
