import { z } from "@hono/zod-openapi";
import { idParam } from "../../../schema/api/common";
import {
  DependencyList,
  PutDependenciesRequest,
  PutDependenciesResponse,
} from "../../../schema/api/dependencies";
import { json } from "../openapi";
import { defineRoute } from "../routing/define-route";

const ProjectParams = z.object({ id: idParam("prj") });
const tags = ["Dependencies"];

export const list = defineRoute({
  method: "get",
  path: "/projects/{id}/dependencies",
  tags,
  summary: "The app's pre-bundled dependencies a preview build links",
  auth: "user",
  ownedProject: "id",
  request: { params: ProjectParams },
  responses: { 200: { description: "The whole set, sorted by specifier", ...json(DependencyList) } },
});

export const replace = defineRoute({
  method: "put",
  path: "/projects/{id}/dependencies",
  tags,
  summary: "Record the app's pre-bundled dependencies (replaces the whole set)",
  description:
    "Each item names a blob uploaded first (`POST /projects/{id}/blobs/missing`, `PUT /projects/{id}/blobs/{sha256}`) holding one module's CommonJS body. The set replaces the recorded one; sending the same set again changes nothing (`changed: false`). At most MAX_DEPENDENCIES (500) items, one version per package.",
  auth: "user",
  ownedProject: "id",
  errors: ["BLOB_MISSING", "HASH_MISMATCH"],
  request: { params: ProjectParams, body: { ...json(PutDependenciesRequest), required: true } },
  responses: { 200: { description: "The recorded set", ...json(PutDependenciesResponse) } },
});
