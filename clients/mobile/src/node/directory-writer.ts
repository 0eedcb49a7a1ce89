import { mkdir, rename } from "node:fs/promises";
import path from "node:path";
import { mirrorPathProblem } from "../../../core/src";
import type { TreeWriter } from "../fetch-bundle";
import { writeAtomically } from "./file-system-blob-store";

/**
 * Where bundle path `relPath` goes under `root`. Manifest paths come from the network, so each is
 * checked with the mirror's path rules and must resolve inside `root` (no `..`, no absolute
 * paths) before anything is written.
 */
function targetOf(root: string, relPath: string): string {
  const problem = mirrorPathProblem(relPath);
  const target = path.resolve(root, ...relPath.split("/"));
  if (problem || !target.startsWith(root + path.sep)) {
    throw new Error(
      `Refusing to write bundle path ${JSON.stringify(relPath)}: ${problem ?? "outside the target"}`,
    );
  }
  return target;
}

/**
 * A {@link TreeWriter} that lays a bundle out under `dir`.
 *
 * @example
 * await fetchBundle(preview, { store, writer: directoryWriter("./hello-app") });
 */
export function directoryWriter(dir: string): TreeWriter {
  const root = path.resolve(dir);
  return {
    async write(relPath, bytes) {
      const target = targetOf(root, relPath);
      await mkdir(path.dirname(target), { recursive: true });
      await writeAtomically(target, bytes);
    },
  };
}

/**
 * A {@link TreeWriter} that moves each file from `staged` (a copy of the bundle laid out by
 * {@link directoryWriter}) to the same path under `dir`: a `rename` within one file system, so
 * each file appears whole, and nothing can run out of room or meet a name the disk refuses
 * halfway through — the staging met those first.
 */
export function movingWriter(staged: string, dir: string): TreeWriter {
  const from = path.resolve(staged);
  const root = path.resolve(dir);
  return {
    async write(relPath) {
      const source = targetOf(from, relPath);
      const target = targetOf(root, relPath);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(source, target);
    },
  };
}
