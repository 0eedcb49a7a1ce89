import { type Dirent, lstatSync, type Stats } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { mirrorPathProblem, throwIfAborted } from "../../core/src";
import { IgnoreRules } from "./ignore-rules";

/** The server's default `MAX_FILE_BYTES` (10 MiB): larger files cannot be uploaded. */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

/**
 * A file that will be synced. `path` is its mirror path (posix, NFC, relative to the folder);
 * `size`, `mtimeMs`, `ctimeMs` and `ino` are its stat when walked (what the hash cache compares).
 */
export type LocalFile = {
  path: string;
  absolutePath: string;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
};

/** A file of the folder as a sync sees it: where it is mirrored and read, and its stat's stamps. */
export function localFile(
  mirrorPath: string,
  absolutePath: string,
  info: Pick<Stats, "size" | "mtimeMs" | "ctimeMs" | "ino">,
): LocalFile {
  return {
    path: mirrorPath,
    absolutePath,
    size: info.size,
    mtimeMs: info.mtimeMs,
    ctimeMs: info.ctimeMs,
    ino: info.ino,
  };
}

/** A file that is not ignored but cannot be synced, and why (too large, symlink, bad name). */
export type ExcludedFile = { path: string; reason: string };

/**
 * What {@link walkFolder} found. `withheld` lists what only the secret defaults
 * (`SECRET_IGNORE_PATTERNS`: `.env`, `*.pem`, …) left out, directories with a trailing `/`, so a
 * caller can say so and how to include them (`!.env` in `.hivesyncignore`).
 */
export type WalkResult = { files: LocalFile[]; excluded: ExcludedFile[]; withheld: string[] };

/** How {@link walkFolder} walks. */
export type WalkOptions = {
  signal?: AbortSignal;
  /** More gitignore patterns, applied at the root (lowest precedence). */
  ignorePatterns?: readonly string[];
  /** Files larger than this are excluded (default 10 MiB, the server's default limit). */
  maxFileBytes?: number;
};

/**
 * Lists the files of `root` that a sync would mirror, sorted by path: it honours `.gitignore` and
 * `.hivesyncignore` at every level plus the built-in ignores, never enters ignored directories,
 * and reports (rather than silently drops) files it cannot sync: symbolic links (they could point
 * outside the folder), files over `maxFileBytes`, and names the server would refuse. Files that
 * look like secrets (`.env`, key files) are left out by default and listed in `withheld`.
 *
 * @example
 * const { files, excluded, withheld } = await walkFolder("/home/ada/hello-app");
 * for (const e of excluded) console.warn(`skipped ${e.path}: ${e.reason}`);
 * if (withheld.length) console.warn(`left out ${withheld.join(", ")}: add !<name> to .hivesyncignore to push one`);
 */
export async function walkFolder(root: string, options: WalkOptions = {}): Promise<WalkResult> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const files: LocalFile[] = [];
  const excluded: ExcludedFile[] = [];
  const withheld: string[] = [];
  const seen = new Set<string>();

  const visit = async (dir: string, inherited: IgnoreRules): Promise<void> => {
    throwIfAborted(options.signal);
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(root, dir), { withFileTypes: true });
    } catch (error) {
      if (dir === "") throw error;
      excluded.push({ path: dir, reason: `unreadable directory (${(error as NodeJS.ErrnoException).code})` });
      return;
    }
    const rules = await inherited.loadDirectory(root, dir, new Set(entries.map((e) => e.name)));
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const candidates: { mirrorPath: string; absolutePath: string }[] = [];
    for (const entry of entries) {
      const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!rules.ignores(rel, true)) await visit(rel, rules);
        else if (rules.leftOutAsSecret(rel, true)) withheld.push(`${rel.normalize("NFC")}/`);
        continue;
      }
      const mirrorPath = rel.normalize("NFC");
      if (rules.ignores(rel, false)) {
        if (rules.leftOutAsSecret(rel, false)) withheld.push(mirrorPath);
        continue;
      }
      if (entry.isSymbolicLink()) {
        excluded.push({ path: mirrorPath, reason: "symbolic link" });
        continue;
      }
      if (!entry.isFile()) continue;
      const problem = mirrorPathProblem(mirrorPath);
      if (problem) {
        excluded.push({ path: mirrorPath, reason: problem });
        continue;
      }
      if (seen.has(mirrorPath)) {
        excluded.push({ path: mirrorPath, reason: "another file has the same name in Unicode NFC form" });
        continue;
      }
      seen.add(mirrorPath);
      candidates.push({ mirrorPath, absolutePath: path.join(root, rel) });
    }
    // One directory's files are stat'ed synchronously: a local lstat takes microseconds, and the
    // promise API's round trip through the thread pool cost three times as much per file (a
    // no-change push of 5,000 files is mostly this walk). The event loop gets its turn at every
    // directory (readdir above stays asynchronous).
    for (const { mirrorPath, absolutePath } of candidates) {
      let info: Stats | undefined;
      try {
        info = lstatSync(absolutePath, { throwIfNoEntry: false });
      } catch (error) {
        excluded.push({ path: mirrorPath, reason: `unreadable (${(error as NodeJS.ErrnoException).code})` });
        continue;
      }
      if (!info?.isFile()) continue; // deleted, or replaced by something else, since readdir
      if (info.size > maxFileBytes) {
        excluded.push({
          path: mirrorPath,
          reason: `${info.size} bytes, over the limit of ${maxFileBytes} bytes per file (MAX_FILE_BYTES)`,
        });
        continue;
      }
      files.push(localFile(mirrorPath, absolutePath, info));
    }
  };

  await visit("", IgnoreRules.create(options.ignorePatterns));
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  withheld.sort();
  return { files, excluded, withheld };
}
