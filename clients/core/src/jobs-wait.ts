import type { HiveSyncClient } from "./client";
import { type PollUntilOptions, pollUntil } from "./poll-until";
import type { AiJob, Sync } from "./types";

/**
 * Waits until an AI job has succeeded or failed and returns it (it does not throw on `failed`:
 * look at `job.error`).
 *
 * @example
 * const { job_id } = await client.ai.create({ project_id, type: "summarize_file", file_path: "App.tsx" });
 * const job = await waitForAiJob(client, job_id, { signal });
 * console.log(job.result?.summary);
 */
export function waitForAiJob(client: HiveSyncClient, jobId: string, options: PollUntilOptions<AiJob> = {}) {
  return pollUntil(
    () => client.ai.get(jobId, { signal: options.signal }),
    (job) => job.status === "succeeded" || job.status === "failed",
    options,
  );
}

/**
 * Waits until a repo sync (the server's check of a committed revision) has succeeded or failed.
 *
 * @example
 * const sync = await waitForSync(client, projectId, result.sync_id);
 * if (sync.status === "failed") console.error(sync.error?.message);
 */
export function waitForSync(
  client: HiveSyncClient,
  projectId: string,
  syncId: string,
  options: PollUntilOptions<Sync> = {},
): Promise<Sync> {
  return pollUntil(
    () => client.syncs.get(projectId, syncId, { signal: options.signal }),
    (sync) => sync.status === "succeeded" || sync.status === "failed",
    options,
  );
}
