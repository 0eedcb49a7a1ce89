import type { MirrorChange } from "../../core/src";

/** A file's content identity: what the mirror compares. */
export type FileVersion = { sha256: string; size: number };

/** The most changes one commit accepts (spec §4). */
export const MAX_CHANGES_PER_COMMIT = 1000;

/**
 * The change set that turns `mirror` into `local`: a put for every new or changed file, a delete
 * for every mirrored file that is gone locally. Deletes come first, then puts, each sorted by
 * path, so the result is deterministic (and chunks of it stay meaningful).
 *
 * @example
 * const changes = diffAgainstMirror(
 *   new Map([["App.tsx", { sha256: "ab…", size: 10 }]]),
 *   new Map([["old.ts", { sha256: "cd…", size: 4 }]]),
 * ); // [{op:"delete", path:"old.ts"}, {op:"put", path:"App.tsx", sha256:"ab…", size:10}]
 */
export function diffAgainstMirror(
  local: ReadonlyMap<string, FileVersion>,
  mirror: ReadonlyMap<string, FileVersion>,
): MirrorChange[] {
  const deletes: MirrorChange[] = [];
  const puts: MirrorChange[] = [];
  for (const path of [...mirror.keys()].sort()) {
    if (!local.has(path)) deletes.push({ op: "delete", path });
  }
  for (const path of [...local.keys()].sort()) {
    const mine = local.get(path) as FileVersion;
    const theirs = mirror.get(path);
    if (!theirs || theirs.sha256 !== mine.sha256 || theirs.size !== mine.size) {
      puts.push({ op: "put", path, sha256: mine.sha256, size: mine.size });
    }
  }
  return [...deletes, ...puts];
}

/**
 * `mirror` with `changes` applied, as the server will have it after committing them.
 *
 * @example
 * const next = applyChanges(mirror, changes);
 */
export function applyChanges(
  mirror: ReadonlyMap<string, FileVersion>,
  changes: readonly MirrorChange[],
): Map<string, FileVersion> {
  const next = new Map(mirror);
  for (const change of changes) {
    if (change.op === "delete") next.delete(change.path);
    else next.set(change.path, { sha256: change.sha256, size: change.size });
  }
  return next;
}
