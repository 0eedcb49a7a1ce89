import type { StoredPlace } from "../../../schema/blob-location";
import { r2Keys } from "../../../schema/storage-keys";
import type { Env } from "../env";
import { RecentMap } from "../lib/recent-map";
import type { PreviewState } from "./session-state";

// Manifests are immutable once written (one per session and revision), so an isolate can keep the
// file sets of recently used ones and serve every file request of a bundle download from memory
// instead of re-reading R2.
const MAX_CACHED = 64;
const cache = new RecentMap<string, Map<string, ManifestBlob>>(MAX_CACHED);

/** A file of a manifest: its size and where its bytes are (schema/blob-location.ts). */
export type ManifestBlob = StoredPlace & { size: number };

type StoredManifest = {
  files: { sha256: string; size: number; pack?: string; pack_offset?: number }[];
};

/**
 * The files of the manifest a session serves (its current revision's) by hash, with their sizes
 * and places, or null when it has no manifest (any more). A manifest written before packs names no
 * place: each of its blobs is its own object.
 */
export async function manifestHashes(
  env: Env,
  state: PreviewState,
): Promise<Map<string, ManifestBlob> | null> {
  const cacheKey = `${state.session_id}:${state.revision}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const object = await env.BLOBS.get(r2Keys.bundle(state.project_id, state.session_id, state.revision));
  if (!object) return null;
  const manifest = (await object.json()) as StoredManifest;
  const hashes = new Map(
    manifest.files.map((f) => [
      f.sha256,
      { size: f.size, pack: f.pack ?? null, packOffset: f.pack === undefined ? null : (f.pack_offset ?? 0) },
    ]),
  );
  cache.set(cacheKey, hashes);
  return hashes;
}
