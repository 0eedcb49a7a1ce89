import { z } from "@hono/zod-openapi";
import { ConditionalHeaders, idParam, PageQuery, pageOf, RangeHeaders } from "../../../schema/api/common";
import { Sha256 } from "../../../schema/api/mirror";
import {
  BundleManifest,
  PreviewSession,
  PreviewStatusResponse,
  ResolvePreviewRequest,
  ResolvePreviewResponse,
  StartPreviewRequest,
  StartPreviewResponse,
} from "../../../schema/api/previews";
import { json } from "../openapi";
import { defineRoute } from "../routing/define-route";

const tags = ["Previews"];
const SessionParams = z.object({ id: idParam("pvs") });
const Binary = { schema: { type: "string" as const, format: "binary" } };

export const start = defineRoute({
  method: "post",
  path: "/preview/start",
  tags,
  summary: "Start a preview of a mirrored revision (the latest by default)",
  auth: "user",
  idempotent: true,
  // RATE_LIMITED here is also the per-user limit on starts, not only the general one.
  errors: ["NOT_FOUND", "MIRROR_EMPTY", "RATE_LIMITED", "TOO_MANY_PREVIEWS"],
  request: { body: { ...json(StartPreviewRequest), required: true } },
  responses: { 202: { description: "Started; poll status_url", ...json(StartPreviewResponse) } },
});

export const status = defineRoute({
  method: "get",
  path: "/preview/sessions/{id}/status",
  tags,
  summary: 'Live status; `If-None-Match: "<version>"` gives 304, `?wait=` long-polls up to 25 s',
  auth: "preview",
  errors: ["NOT_FOUND"],
  request: {
    params: SessionParams,
    query: z.object({ wait: z.coerce.number().min(0).max(25).optional() }),
    headers: ConditionalHeaders,
  },
  responses: {
    200: { description: "The status; etag is the version", ...json(PreviewStatusResponse) },
    304: { description: "Unchanged" },
  },
});

export const live = defineRoute({
  method: "get",
  path: "/preview/sessions/{id}/live",
  tags,
  summary: "Live updates: a WebSocket that gets the status, then every change (new revision, build error)",
  description: [
    'Send `Upgrade: websocket`. The socket first gets `{type:"status", …status}`, then on every change',
    '`{type:"revision", revision, manifest_url}` (a newer revision is served: fetch its manifest),',
    '`{type:"build_error", revision, error}` (a newer revision did not build; the last good one keeps',
    'running) and `{type:"status", …}`. Any text sent asks for the status again; `ping` is answered',
    "`pong`. The socket closes with 4000 when the session ends, and with 4001 (reason `revoked`) when",
    "the sign-in whose access token opened it is revoked (logout, device revocation) — by the time",
    "that revocation has answered; a preview token's socket is tied to no sign-in. Authorised like",
    "the status: the owner's access token or the session's preview token, as `Authorization: Bearer …`",
    "or — browsers cannot set headers on a WebSocket — as the subprotocols `hivesync, bearer.<token>`",
    "(the server picks `hivesync`), so no secret is ever in a URL. Without `Upgrade` it answers the",
    "status once.",
  ].join(" "),
  auth: "preview",
  errors: ["NOT_FOUND"],
  request: { params: SessionParams },
  responses: {
    101: { description: "Switching Protocols: the live channel" },
    200: { description: "Not an upgrade: the status, once", ...json(PreviewStatusResponse) },
  },
});

export const read = defineRoute({
  method: "get",
  path: "/preview/sessions/{id}",
  tags,
  summary: "The full session record, including who opened it",
  auth: "user",
  errors: ["NOT_FOUND"],
  request: { params: SessionParams },
  responses: { 200: { description: "The session", ...json(PreviewSession) } },
});

export const list = defineRoute({
  method: "get",
  path: "/preview/sessions",
  tags,
  summary: "Your preview sessions, newest first (a linked phone opens them without a code)",
  auth: "user",
  request: {
    query: PageQuery.extend({
      project_id: idParam("prj").optional(),
      active: z.enum(["true", "false"]).optional(),
    }),
  },
  responses: { 200: { description: "A page", ...json(pageOf(PreviewSession)) } },
});

export const cancel = defineRoute({
  method: "post",
  path: "/preview/sessions/{id}/cancel",
  tags,
  summary: "Cancel a preview",
  auth: "user",
  // Cancelling a cancelled preview answers 200 again; one that ended otherwise says how (410).
  errors: ["NOT_FOUND", "PREVIEW_EXPIRED", "PREVIEW_FAILED"],
  request: { params: SessionParams },
  responses: { 200: { description: "The session", ...json(PreviewSession) } },
});

export const resolve = defineRoute({
  method: "post",
  path: "/preview/resolve",
  tags,
  summary: "Trade a preview code for a token scoped to that one session (no sign-in needed)",
  auth: "none",
  // Wrong codes count against the caller's IP: TOO_MANY_ATTEMPTS once over the limit.
  errors: ["NOT_FOUND", "TOO_MANY_ATTEMPTS", "PREVIEW_EXPIRED", "PREVIEW_CANCELLED", "PREVIEW_FAILED"],
  request: { body: { ...json(ResolvePreviewRequest), required: true } },
  responses: { 200: { description: "The session and its scoped token", ...json(ResolvePreviewResponse) } },
});

const bundleErrors = [
  "NOT_FOUND",
  "PREVIEW_NOT_READY",
  "PREVIEW_EXPIRED",
  "PREVIEW_CANCELLED",
  "PREVIEW_FAILED",
] as const;

export const bundle = defineRoute({
  method: "get",
  path: "/preview/bundle/{id}",
  tags,
  summary: "The bundle manifest of a ready session",
  auth: "preview",
  errors: bundleErrors,
  request: { params: SessionParams },
  responses: {
    200: { description: "The manifest (etag = its SHA-256)", ...json(BundleManifest) },
  },
});

export const revisionManifest = defineRoute({
  method: "get",
  path: "/preview/bundle/{id}/revisions/{revision}",
  tags,
  summary: "The manifest of one revision (the URL a `revision` frame names); immutable, cacheable",
  description: [
    "What the live channel's `revision` frames point at. The bytes never change, so it is cached for",
    "good (`Cache-Control: private, max-age=31536000, immutable`) and answered without the session's",
    "live state: a viewer gets its manifest (only the files the app uses), the owner every file.",
    "A revision the session never built, or whose manifests were deleted with the ended session, is 404.",
  ].join(" "),
  auth: "preview",
  errors: ["NOT_FOUND", "PREVIEW_EXPIRED"],
  request: { params: SessionParams.extend({ revision: z.coerce.number().int().min(1) }) },
  responses: {
    200: { description: "The manifest (etag = its SHA-256)", ...json(BundleManifest) },
  },
});

export const bundleFile = defineRoute({
  method: "get",
  path: "/preview/bundle/{id}/files/{sha256}",
  tags,
  summary: "One file of the bundle by its hash; honours Range so a broken download resumes",
  auth: "preview",
  errors: [...bundleErrors, "RANGE_NOT_SATISFIABLE"],
  request: { params: SessionParams.extend({ sha256: Sha256 }), headers: RangeHeaders },
  responses: {
    200: { description: "The bytes, immutable", content: { "application/octet-stream": Binary } },
    206: { description: "The requested range", content: { "application/octet-stream": Binary } },
  },
});
