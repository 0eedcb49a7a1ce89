import type { SyncStats } from "../../../schema/api/mirror";
import type { RepoSyncMessage } from "../../../schema/queue-messages";
import { r2Keys } from "../../../schema/storage-keys";
import type { Env } from "../env";
import { languageOf } from "../languages";

const HEAD_CONCURRENCY = 16;

type FileEntry = { path: string; sha256: string; size: number };
type StoredFile = FileEntry & { pack?: string | null; packOffset?: number | null };

/** Runs `fn` over `items` with at most `limit` in flight. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

export function snapshotStats(files: FileEntry[]): SyncStats {
  const languages: Record<string, number> = {};
  let totalBytes = 0;
  for (const file of files) {
    totalBytes += file.size;
    const language = languageOf(file.path);
    languages[language] = (languages[language] ?? 0) + 1;
  }
  return { file_count: files.length, total_bytes: totalBytes, languages };
}

/**
 * What is wrong with the revision's stored content: a blob of its own must be there with the file's
 * size (one head each); a packed blob must have its pack there, long enough to hold its slice (one
 * head per distinct pack, however many of the files it holds).
 */
async function verifyBlobs(env: Env, projectId: string, files: StoredFile[]): Promise<string[]> {
  const problems: string[] = [];
  const alone: StoredFile[] = [];
  const byPack = new Map<string, StoredFile[]>();
  for (const file of files) {
    if (file.pack === null || file.pack === undefined) alone.push(file);
    else {
      const held = byPack.get(file.pack);
      if (held) held.push(file);
      else byPack.set(file.pack, [file]);
    }
  }
  const checks: (() => Promise<void>)[] = [
    ...alone.map((file) => async () => {
      const head = await env.BLOBS.head(r2Keys.blob(projectId, file.sha256));
      if (!head) problems.push(`${file.path}: blob ${file.sha256} is missing`);
      else if (head.size !== file.size)
        problems.push(`${file.path}: blob has ${head.size} bytes, expected ${file.size}`);
    }),
    ...[...byPack].map(([pack, held]) => async () => {
      const head = await env.BLOBS.head(r2Keys.pack(projectId, pack));
      for (const file of held) {
        const end = (file.packOffset ?? 0) + file.size;
        if (!head) problems.push(`${file.path}: pack ${pack} of blob ${file.sha256} is missing`);
        else if (head.size < end)
          problems.push(`${file.path}: pack ${pack} has ${head.size} bytes, the blob ends at ${end}`);
      }
    }),
  ];
  await eachLimited(checks, HEAD_CONCURRENCY, (check) => check());
  return problems;
}

/**
 * repo-sync: checks that every blob of the revision is in R2 with the right size, writes the
 * revision's snapshot (create-only, so a redelivery keeps the first) and reports the result.
 * Missing blobs are a permanent failure; storage or RPC errors throw, and the message is retried.
 */
export async function handleRepoSync(message: RepoSyncMessage, env: Env): Promise<void> {
  const task = await env.API.startSync(message.sync_id);
  if (!task) return; // already finished (a duplicate delivery) or the project is gone
  const files = await env.API.getMirrorFiles(task.project_id, task.revision);

  const problems = await verifyBlobs(env, task.project_id, files);
  if (problems.length > 0) {
    await env.API.recordSyncResult(task.sync_id, {
      status: "failed",
      error: {
        code: "blob_missing",
        message: `${problems.length} file(s) failed verification: ${problems.slice(0, 5).join("; ")}`,
      },
    });
    return;
  }

  const stats = snapshotStats(files);
  const snapshot = {
    project_id: task.project_id,
    revision: task.revision,
    created_at: new Date().toISOString(),
    // The files as the snapshot has always listed them; where their bytes are stays in D1.
    files: files
      .map(({ path, sha256, size }) => ({ path, sha256, size }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    stats,
  };
  await env.BLOBS.put(r2Keys.snapshot(task.project_id, task.revision), JSON.stringify(snapshot), {
    onlyIf: { etagDoesNotMatch: "*" },
    httpMetadata: { contentType: "application/json" },
  });
  await env.API.recordSyncResult(task.sync_id, { status: "succeeded", stats });
}
