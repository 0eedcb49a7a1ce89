import { r2Keys } from "../../../schema/storage-keys";
import type { Env } from "../env";
import type { PreviewState } from "./session-state";

// Manifests are immutable once written (one per session and revision), so an isolate can keep the
// hash sets of recently used ones and serve every file request of a bundle download from memory
// instead of re-reading R2.
const MAX_CACHED = 64;
const cache = new Map<string, Map<string, number>>();

/**
 * The file hashes of the manifest a session serves (its current revision's) with their sizes, or
 * null when it has no manifest (any more).
 */
export async function manifestHashes(env: Env, state: PreviewState): Promise<Map<string, number> | null> {
  const cacheKey = `${state.session_id}:${state.revision}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const object = await env.BLOBS.get(r2Keys.bundle(state.project_id, state.session_id, state.revision));
  if (!object) return null;
  const manifest = (await object.json()) as { files: { sha256: string; size: number }[] };
  const hashes = new Map(manifest.files.map((f) => [f.sha256, f.size]));
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(cacheKey, hashes);
  return hashes;
}
