import { mkdir, mkdtemp, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { type BundleTreeResult, writeBundleTree } from "./bundle-tree";
import { directoryWriter, movingWriter } from "./directory-writer";

async function exists(target: string): Promise<boolean> {
  try {
    await stat(target);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/**
 * {@link writeBundleTree} that never leaves `dir` half-written. The bundle is first laid out in a
 * temporary folder beside `dir` (`.<name>.hivesync-…`, same parent, so the same file system):
 * a tree the disk cannot hold, a full disk or an interruption fails there, and the temporary
 * folder is removed. Then:
 * - no `dir` yet: the temporary folder is renamed to `dir`, atomically — a failure leaves nothing;
 * - an earlier `dir` (its own files, the user's beside them): each file is renamed into it, so it
 *   is updated in place by moves within the file system, never by a download or a write that can
 *   break off halfway.
 *
 * @example
 * const { files } = await fetchBundle(preview, { store });
 * await writeBundleFolder("/tmp/phone", files);
 */
export async function writeBundleFolder(
  dir: string,
  files: ReadonlyMap<string, Uint8Array>,
  options: { onFileWritten?: (path: string, bytes: number) => void } = {},
): Promise<BundleTreeResult> {
  const root = path.resolve(dir);
  const parent = path.dirname(root);
  // Parents created here are ours to remove on failure, as much as the folder itself.
  const createdParent = await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(path.join(parent, `.${path.basename(root)}.hivesync-`));
  try {
    if (!(await exists(root))) {
      const result = await writeBundleTree(staging, files, options);
      await rename(staging, root);
      return result;
    }
    const staged = directoryWriter(staging);
    for (const [relPath, bytes] of files) await staged.write(relPath, bytes);
    return await writeBundleTree(root, files, { ...options, writer: movingWriter(staging, root) });
  } catch (error) {
    if (createdParent && !(await exists(root))) await rm(createdParent, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
