import { createHash } from "node:crypto";
import { mkdir, readFile, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import { mirrorPathProblem } from "../../../core/src";
import type { TreeWriter } from "../fetch-bundle";
import { directoryWriter } from "./directory-writer";
import { writeAtomically } from "./file-system-blob-store";

/** Where a tree remembers what it wrote: `<dir>/.hivesync/written.json` (path → SHA-256). */
export const WRITTEN_RECORD = path.join(".hivesync", "written.json");

/** What {@link writeBundleTree} did. Paths are bundle paths (posix). */
export type BundleTreeResult = {
  written: number;
  /** Files an earlier write put there that this bundle no longer has: deleted. */
  removed: string[];
  /** Such files that were changed since they were written: left alone. */
  kept: string[];
};

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function readRecord(root: string): Promise<Record<string, string>> {
  try {
    const parsed = JSON.parse(await readFile(path.join(root, WRITTEN_RECORD), "utf8")) as {
      files?: Record<string, string>;
    };
    return parsed.files && typeof parsed.files === "object" ? parsed.files : {};
  } catch {
    return {};
  }
}

/**
 * Makes `dir` hold exactly a bundle's files: writes every file of `files` (path → bytes), and
 * deletes the files that an earlier call wrote there and that this bundle no longer has — but
 * only those, and only while they still hold the bytes that were written (a file edited since is
 * kept and reported). Files it never wrote are never deleted. Directories emptied by a deletion go
 * too. What was written is remembered in `<dir>/.hivesync/written.json`. `writer` puts each file
 * in place (default: {@link directoryWriter} of `dir`).
 *
 * @example
 * const { files } = await fetchBundle(preview, { store });
 * const { removed } = await writeBundleTree("/tmp/phone", files);
 */
export async function writeBundleTree(
  dir: string,
  files: ReadonlyMap<string, Uint8Array>,
  options: { onFileWritten?: (path: string, bytes: number) => void; writer?: TreeWriter } = {},
): Promise<BundleTreeResult> {
  const root = path.resolve(dir);
  const previous = await readRecord(root);
  const removed: string[] = [];
  const kept: string[] = [];
  // Stale files go first, so a path that turned from a file into a folder can be written.
  for (const [relPath, hash] of Object.entries(previous)) {
    if (files.has(relPath)) continue;
    const target = path.resolve(root, ...relPath.split("/"));
    if (mirrorPathProblem(relPath) || !target.startsWith(root + path.sep)) continue;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(target);
    } catch {
      continue; // already gone (or a folder now): nothing of ours to delete
    }
    if (sha256(bytes) !== hash) {
      kept.push(relPath);
      continue;
    }
    await rm(target, { force: true });
    removed.push(relPath);
    for (let parent = path.dirname(target); parent !== root && parent.startsWith(root); ) {
      try {
        await rmdir(parent);
      } catch {
        break; // not empty
      }
      parent = path.dirname(parent);
    }
  }
  const writer = options.writer ?? directoryWriter(root);
  const record: Record<string, string> = {};
  for (const [relPath, bytes] of files) {
    await writer.write(relPath, bytes);
    record[relPath] = sha256(bytes);
    options.onFileWritten?.(relPath, bytes.length);
  }
  // Files kept because they were edited stay on the record: a later call may delete them once the
  // edit is undone, never while they hold someone's changes.
  for (const relPath of kept) record[relPath] = previous[relPath] as string;
  await mkdir(path.join(root, ".hivesync"), { recursive: true });
  await writeAtomically(
    path.join(root, WRITTEN_RECORD),
    new TextEncoder().encode(`${JSON.stringify({ files: record }, null, 2)}\n`),
  );
  return { written: files.size, removed: removed.sort(), kept: kept.sort() };
}
