import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import type { CallOptions, HiveSyncClient } from "../../core/src";
import type { FileVersion } from "./change-set";
import { HASH_CACHE_FILE, SYNC_STATE_DIR, writeAtomically } from "./hash-cache";

/** The server's mirror at one revision: path → content. */
export type MirrorState = { revision: number; files: Map<string, FileVersion> };

/** The last mirror a folder synced with, inside `SYNC_STATE_DIR`. */
export const MIRROR_SNAPSHOT_FILE = "mirror.json";

const FORMAT = "hivesync-mirror/1";

/**
 * Reads the whole mirror listing (every page, all pinned to the first page's revision).
 *
 * @example
 * const { revision, files } = await readMirror(client, projectId);
 */
export async function readMirror(
  client: HiveSyncClient,
  projectId: string,
  options?: CallOptions,
): Promise<MirrorState> {
  const { revision, files } = await client.mirror.allFiles(projectId, {}, options);
  return { revision, files: new Map(files.map((f) => [f.path, { sha256: f.sha256, size: f.size }])) };
}

/**
 * The mirror of `projectId` as folder `dir` last saw it (`.hivesync/mirror.json`), or null when
 * there is none, it is another project's, or it is unreadable. A revision never changes once
 * committed, so the snapshot is exact for as long as the server is still at its revision.
 *
 * @example
 * const snapshot = await loadMirrorSnapshot("/home/ada/hello-app", projectId);
 */
export async function loadMirrorSnapshot(dir: string, projectId: string): Promise<MirrorState | null> {
  try {
    const data = JSON.parse(await readFile(path.join(dir, SYNC_STATE_DIR, MIRROR_SNAPSHOT_FILE), "utf8"));
    if (data?.format !== FORMAT || data.project_id !== projectId || !Number.isInteger(data.revision))
      return null;
    const files = new Map<string, FileVersion>();
    for (const [p, entry] of Object.entries(data.files as Record<string, unknown>)) {
      if (!Array.isArray(entry) || typeof entry[0] !== "string" || !Number.isInteger(entry[1])) return null;
      files.set(p, { sha256: entry[0], size: entry[1] });
    }
    return { revision: data.revision, files };
  } catch {
    return null;
  }
}

/**
 * Remembers `mirror` as project `projectId`'s mirror for folder `dir`, atomically; a folder that
 * cannot be written to only loses the snapshot.
 *
 * @example
 * await saveMirrorSnapshot(dir, projectId, { revision: 4, files });
 */
export async function saveMirrorSnapshot(dir: string, projectId: string, mirror: MirrorState): Promise<void> {
  const files: Record<string, [string, number]> = {};
  for (const p of [...mirror.files.keys()].sort()) {
    const version = mirror.files.get(p) as FileVersion;
    files[p] = [version.sha256, version.size];
  }
  const text = JSON.stringify({ format: FORMAT, project_id: projectId, revision: mirror.revision, files });
  await writeAtomically(path.join(dir, SYNC_STATE_DIR, MIRROR_SNAPSHOT_FILE), text).catch(() => {});
}

/**
 * The current mirror of `projectId`. With a snapshot from the last sync, one `GET /mirror` tells
 * whether the server is still at that revision (same revision, file count and bytes): then the
 * snapshot is the mirror and nothing is listed. Otherwise the whole listing is read.
 *
 * @example
 * const mirror = await currentMirror(client, projectId, await loadMirrorSnapshot(dir, projectId));
 */
export async function currentMirror(
  client: HiveSyncClient,
  projectId: string,
  snapshot: MirrorState | null,
  options?: CallOptions,
): Promise<MirrorState> {
  if (snapshot) {
    const summary = await client.mirror.summary(projectId, options);
    let bytes = 0;
    for (const f of snapshot.files.values()) bytes += f.size;
    if (
      summary.revision === snapshot.revision &&
      summary.file_count === snapshot.files.size &&
      summary.total_bytes === bytes
    )
      return snapshot;
  }
  return readMirror(client, projectId, options);
}

/**
 * Forgets what syncs of folder `dir` remembered (`.hivesync/hashes.json` and `mirror.json`), e.g.
 * when the folder is unlinked from its project. The next sync reads and lists everything again.
 *
 * @example
 * await forgetSyncState("/home/ada/hello-app");
 */
export async function forgetSyncState(dir: string): Promise<void> {
  for (const name of [HASH_CACHE_FILE, MIRROR_SNAPSHOT_FILE])
    await rm(path.join(dir, SYNC_STATE_DIR, name), { force: true });
}
