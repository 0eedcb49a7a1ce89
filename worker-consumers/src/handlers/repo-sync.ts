import type { SyncStats } from "../../../schema/api/mirror";
import type { RepoSyncMessage } from "../../../schema/queue-messages";
import { r2Keys } from "../../../schema/storage-keys";
import type { Env } from "../env";
import { languageOf } from "../languages";

const HEAD_CONCURRENCY = 16;

type FileEntry = { path: string; sha256: string; size: number };

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
 * repo-sync: checks that every blob of the revision is in R2 with the right size, writes the
 * revision's snapshot (create-only, so a redelivery keeps the first) and reports the result.
 * Missing blobs are a permanent failure; storage or RPC errors throw, and the message is retried.
 */
export async function handleRepoSync(message: RepoSyncMessage, env: Env): Promise<void> {
  const task = await env.API.startSync(message.sync_id);
  if (!task) return; // already finished (a duplicate delivery) or the project is gone
  const files = await env.API.getMirrorFiles(task.project_id, task.revision);

  const problems: string[] = [];
  await eachLimited(files, HEAD_CONCURRENCY, async (file) => {
    const head = await env.BLOBS.head(r2Keys.blob(task.project_id, file.sha256));
    if (!head) problems.push(`${file.path}: blob ${file.sha256} is missing`);
    else if (head.size !== file.size)
      problems.push(`${file.path}: blob has ${head.size} bytes, expected ${file.size}`);
  });
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
    files: [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    stats,
  };
  await env.BLOBS.put(r2Keys.snapshot(task.project_id, task.revision), JSON.stringify(snapshot), {
    onlyIf: { etagDoesNotMatch: "*" },
    httpMetadata: { contentType: "application/json" },
  });
  await env.API.recordSyncResult(task.sync_id, { status: "succeeded", stats });
}
