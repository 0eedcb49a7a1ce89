import { mkdir } from "node:fs/promises";
import path from "node:path";
import { mirrorPathProblem } from "../../../core/src";
import type { TreeWriter } from "../fetch-bundle";
import { writeAtomically } from "./file-system-blob-store";

/**
 * A {@link TreeWriter} that lays a bundle out under `dir`. Manifest paths come from the network,
 * so each is checked with the mirror's path rules and must resolve inside `dir` (no `..`, no
 * absolute paths) before anything is written.
 *
 * @example
 * await fetchBundle(preview, { store, writer: directoryWriter("./hello-app") });
 */
export function directoryWriter(dir: string): TreeWriter {
  const root = path.resolve(dir);
  return {
    async write(relPath, bytes) {
      const problem = mirrorPathProblem(relPath);
      const target = path.resolve(root, ...relPath.split("/"));
      if (problem || !target.startsWith(root + path.sep)) {
        throw new Error(
          `Refusing to write bundle path ${JSON.stringify(relPath)}: ${problem ?? "outside the target"}`,
        );
      }
      await mkdir(path.dirname(target), { recursive: true });
      await writeAtomically(target, bytes);
    },
  };
}
