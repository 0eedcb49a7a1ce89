import type { BundleManifest } from "../../../schema/api/previews";
import type { StoredPlace } from "../../../schema/blob-location";
import { r2Keys } from "../../../schema/storage-keys";
import { viewerManifest } from "../../../schema/viewer-manifest";
import type { Env } from "../env";
import { sha256Hex } from "../lib/crypto";
import { RecentMap } from "../lib/recent-map";
import type { PreviewCaller } from "./session-rules";
import type { PreviewState } from "./session-state";

// Manifests are immutable once written (one per session and revision, and its viewer's), so an
// isolate can keep the file sets of recently used ones and serve every file request of a bundle
// download from memory instead of re-reading R2.
const MAX_CACHED = 64;
const cache = new RecentMap<string, Map<string, ManifestBlob>>(MAX_CACHED);

/** A file of a manifest: its size and where its bytes are (schema/blob-location.ts). */
export type ManifestBlob = StoredPlace & { size: number };

/**
 * Who a manifest is for: the session's owner (their own access token, a linked device) gets every
 * file of the revision; a viewer (a preview token from the code) only the files the app uses.
 */
export type Audience = "owner" | "viewer";

export const audienceOf = (caller: PreviewCaller): Audience =>
  caller.kind === "viewer" ? "viewer" : "owner";

/** A manifest as it goes out: its bytes (never re-serialised) and their SHA-256, the etag. */
export type ManifestBody = { body: ReadableStream; sha256: string };

/**
 * The manifest of the revision a session serves, as `audience` gets it, or null when it is gone.
 * A viewer's is stored beside the owner's by the build (`r2Keys.viewerBundle`); a bundle built
 * before that has none, and its viewer's manifest is made here from the owner's, the same way.
 */
export async function readManifest(
  env: Env,
  state: PreviewState,
  audience: Audience,
): Promise<ManifestBody | null> {
  if (audience === "owner" || state.bundle?.viewer) {
    const owner = audience === "owner";
    const key = (owner ? r2Keys.bundle : r2Keys.viewerBundle)(
      state.project_id,
      state.session_id,
      state.revision,
    );
    const object = await env.BLOBS.get(key);
    if (!object) return null;
    const summary = owner ? state.bundle : state.bundle?.viewer;
    return { body: object.body, sha256: summary?.manifest_sha256 ?? object.etag };
  }
  const bytes = await legacyViewerBytes(env, state.project_id, state.session_id, state.revision);
  return bytes ? { body: new Blob([bytes]).stream(), sha256: await sha256Hex(bytes) } : null;
}

/**
 * The files of the manifest `audience` gets of the session's current revision, by hash, with
 * their sizes and places, or null when it has no manifest (any more). A manifest written before
 * packs names no place: each of its blobs is its own object.
 */
export async function manifestHashes(
  env: Env,
  state: PreviewState,
  audience: Audience,
): Promise<Map<string, ManifestBlob> | null> {
  const cacheKey = `${state.session_id}:${state.revision}:${audience}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const manifest = await readManifestJson(env, state, audience);
  if (!manifest) return null;
  const hashes = new Map(
    manifest.files.map((f) => [
      f.sha256,
      { size: f.size, pack: f.pack ?? null, packOffset: f.pack === undefined ? null : (f.pack_offset ?? 0) },
    ]),
  );
  cache.set(cacheKey, hashes);
  return hashes;
}

async function readManifestJson(
  env: Env,
  state: PreviewState,
  audience: Audience,
): Promise<Pick<BundleManifest, "files"> | null> {
  if (audience === "viewer" && !state.bundle?.viewer) {
    const bytes = await legacyViewerBytes(env, state.project_id, state.session_id, state.revision);
    return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as BundleManifest) : null;
  }
  const key = (audience === "owner" ? r2Keys.bundle : r2Keys.viewerBundle)(
    state.project_id,
    state.session_id,
    state.revision,
  );
  const object = await env.BLOBS.get(key);
  return object ? ((await object.json()) as BundleManifest) : null;
}

/** A viewer's manifest of a bundle built before the build wrote one: made from the owner's. */
export async function legacyViewerBytes(
  env: Env,
  projectId: string,
  sessionId: string,
  revision: number,
): Promise<Uint8Array | null> {
  const object = await env.BLOBS.get(r2Keys.bundle(projectId, sessionId, revision));
  if (!object) return null;
  const manifest = (await object.json()) as BundleManifest;
  return new TextEncoder().encode(JSON.stringify(viewerManifest(manifest)));
}
