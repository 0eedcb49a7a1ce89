import type { TypedResponse } from "hono";
import type { BundleManifest } from "../../../schema/api/previews";
import { readBlob } from "../../../schema/blob-location";
import { database } from "../db";
import { ApiError, notFound } from "../lib/api-error";
import type { AppRouteHandler } from "../openapi";
import { assertCanRead, identifyPreviewCaller } from "./access";
import { byteRange } from "./byte-range";
import { audienceOf, manifestHashes, readManifest } from "./manifest-cache";
import { revisionManifest as readRevisionManifest, sessionFacts } from "./revision-manifests";
import type * as routes from "./routes";
import { assertReady, hasExpired } from "./session-rules";
import { findOpeningDevice } from "./session-store";
import { previewStub } from "./stub";

export const bundle: AppRouteHandler<typeof routes.bundle> = async (c) => {
  const { id } = c.req.valid("param");
  const caller = await identifyPreviewCaller(c, id);
  const stub = previewStub(c.env, id);
  const state = assertCanRead(await stub.get(), caller);
  assertReady(state);
  // The revision the session serves: a newer one being built replaces it only once it is ready.
  // Its owner gets every file of it; a viewer only the files the app uses (manifest-cache.ts).
  const manifest = await readManifest(c.env, state, audienceOf(caller));
  if (!manifest) throw new ApiError("PREVIEW_EXPIRED", "This preview's bundle is gone.");
  if (caller.kind === "owner") {
    // Only a linked device "opens" a preview; the owner's desktop reading its own bundle does not
    // (a viewer's open was counted when its token was issued).
    const device = await findOpeningDevice(database(c.env), caller.authSessionId);
    if (device) c.executionCtx.waitUntil(stub.noteOpen({ device_id: device.id, platform: device.platform }));
  }
  // The stored manifest goes out byte for byte (its SHA-256 is the etag): JSON, not re-serialised.
  const response = c.body(manifest.body, 200, {
    "content-type": "application/json",
    etag: `"${manifest.sha256}"`,
    "cache-control": "private, no-cache",
  });
  return response as unknown as TypedResponse<BundleManifest, 200, "json">;
};

/**
 * One revision's manifest, by the URL the live channel names (`revision` frames): no call to the
 * session's object (a viewer's token is checked by its signature, an owner against the session's
 * D1 row), and cacheable for good — the bytes behind it never change.
 */
export const revisionManifest: AppRouteHandler<typeof routes.revisionManifest> = async (c) => {
  const { id, revision } = c.req.valid("param");
  const caller = await identifyPreviewCaller(c, id);
  const facts = await sessionFacts(c.env, id);
  if (!facts || (caller.kind === "owner" && facts.userId !== caller.userId))
    throw notFound("Preview session");
  if (hasExpired({ expires_at: facts.expiresAt }))
    throw new ApiError("PREVIEW_EXPIRED", "This preview has expired; start a new one.", {
      status: "expired",
    });
  const manifest = await readRevisionManifest(
    c.env,
    { id, projectId: facts.projectId },
    revision,
    audienceOf(caller),
  );
  if (!manifest) throw notFound("Manifest of this revision");
  const response = c.body(manifest.bytes as Uint8Array<ArrayBuffer>, 200, {
    "content-type": "application/json",
    etag: `"${manifest.sha256}"`,
    "cache-control": "private, max-age=31536000, immutable",
  });
  return response as unknown as TypedResponse<BundleManifest, 200, "json">;
};

export const bundleFile: AppRouteHandler<typeof routes.bundleFile> = async (c) => {
  const { id, sha256 } = c.req.valid("param");
  const caller = await identifyPreviewCaller(c, id);
  const state = assertCanRead(await previewStub(c.env, id).get(), caller);
  assertReady(state);
  // Only a file of the manifest this caller gets: a viewer cannot fetch a file the app never uses.
  const file = (await manifestHashes(c.env, state, audienceOf(caller)))?.get(sha256);
  if (file === undefined) throw notFound("File in this bundle");
  const { size } = file;
  const headers: Record<string, string> = {
    "content-type": "application/octet-stream",
    etag: `"${sha256}"`,
    "cache-control": "private, max-age=31536000, immutable",
    "accept-ranges": "bytes",
  };
  const range = byteRange(c.req.header("range"), size);
  if (range === "unsatisfiable") {
    throw new ApiError(
      "RANGE_NOT_SATISFIABLE",
      `The file has ${size} bytes.`,
      { size },
      { "content-range": `bytes */${size}` },
    );
  }
  // Its own object, or its slice of a pack: the manifest says which, so this costs no D1 query.
  const object = await readBlob(
    c.env.BLOBS,
    { projectId: state.project_id, sha256, ...file },
    range ?? undefined,
  );
  if (!object) throw notFound("File in this bundle");
  if (range) {
    headers["content-range"] = `bytes ${range.offset}-${range.offset + range.length - 1}/${size}`;
    headers["content-length"] = String(range.length);
    return c.body(object.body, 206, headers);
  }
  headers["content-length"] = String(object.size);
  return c.body(object.body, 200, headers);
};
