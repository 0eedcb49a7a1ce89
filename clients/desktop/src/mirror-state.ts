import type { CallOptions, HiveSyncClient } from "../../core/src";
import type { FileVersion } from "./change-set";

/** The server's mirror at one revision: path → content. */
export type MirrorState = { revision: number; files: Map<string, FileVersion> };

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
