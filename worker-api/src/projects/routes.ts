import { z } from "@hono/zod-openapi";
import { idParam, PageQuery, pageOf } from "../../../schema/api/common";
import { CreateProjectRequest, Project, UpdateProjectRequest } from "../../../schema/api/projects";
import { json } from "../openapi";
import { defineRoute } from "../routing/define-route";

const ProjectParams = z.object({ id: idParam("prj") });
const tags = ["Projects"];

export const create = defineRoute({
  method: "post",
  path: "/projects",
  tags,
  summary: "Create a project",
  auth: "user",
  idempotent: true,
  errors: ["INVALID_PATH"],
  request: { body: { ...json(CreateProjectRequest), required: true } },
  responses: { 201: { description: "The project", ...json(Project) } },
});

export const list = defineRoute({
  method: "get",
  path: "/projects",
  tags,
  summary: "Your projects, newest first",
  auth: "user",
  request: { query: PageQuery },
  responses: { 200: { description: "A page of projects", ...json(pageOf(Project)) } },
});

export const read = defineRoute({
  method: "get",
  path: "/projects/{id}",
  tags,
  summary: "One project",
  auth: "user",
  errors: ["NOT_FOUND"],
  request: { params: ProjectParams },
  responses: { 200: { description: "The project", ...json(Project) } },
});

export const update = defineRoute({
  method: "patch",
  path: "/projects/{id}",
  tags,
  summary: "Change a project's name, description, framework or entry",
  auth: "user",
  errors: ["NOT_FOUND", "INVALID_PATH"],
  request: { params: ProjectParams, body: { ...json(UpdateProjectRequest), required: true } },
  responses: { 200: { description: "The updated project", ...json(Project) } },
});

export const remove = defineRoute({
  method: "delete",
  path: "/projects/{id}",
  tags,
  summary: "Delete a project with its mirror, comments, jobs and previews",
  auth: "user",
  errors: ["NOT_FOUND"],
  request: { params: ProjectParams },
  responses: { 204: { description: "Deleted" } },
});
