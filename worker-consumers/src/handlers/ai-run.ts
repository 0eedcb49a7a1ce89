import { readBlob } from "../../../schema/blob-location";
import type { JobErrorCode } from "../../../schema/job-errors";
import { parseLimits } from "../../../schema/limits";
import type { AiRunMessage } from "../../../schema/queue-messages";
import { createProvider, ProviderError } from "../ai/provider";
import type { Env } from "../env";
import { isLastAttempt } from "../retry";

/**
 * ai-jobs: reads the file version the job was created for, runs the configured provider and
 * reports the result. A retryable provider failure throws (the queue retries with backoff) until
 * the last delivery, which records the failure with the provider's machine code instead.
 */
export async function handleAiRun(
  message: AiRunMessage,
  env: Env,
  delivery: { attempts: number },
): Promise<void> {
  const task = await env.API.startAiJob(message.job_id);
  if (!task) return; // already finished: a duplicate delivery
  const fail = (code: JobErrorCode, text: string) =>
    env.API.finishAiJob(task.job_id, { status: "failed", error: { code, message: text } });

  const object = await readBlob(env.BLOBS, {
    projectId: task.project_id,
    sha256: task.sha256,
    size: task.size,
    pack: task.pack,
    packOffset: task.pack_offset,
  });
  if (!object) {
    await fail("file_missing", "The file's content is no longer in storage.");
    return;
  }
  const maxBytes = parseLimits(env).maxAiInputBytes;
  if (object.size > maxBytes) {
    await object.body.cancel();
    await fail("input_too_large", `The file has ${object.size} bytes; the limit is ${maxBytes}.`);
    return;
  }
  const content = await object.text();

  let provider: ReturnType<typeof createProvider>;
  try {
    provider = createProvider(env);
  } catch (err) {
    await fail("provider_misconfigured", err instanceof Error ? err.message : String(err));
    return;
  }
  try {
    const result = await provider.document({
      type: task.type,
      path: task.file_path,
      content,
      ...(task.selection ? { selection: task.selection } : {}),
    });
    await env.API.finishAiJob(task.job_id, { status: "succeeded", result });
  } catch (err) {
    if (err instanceof ProviderError) {
      if (err.retryable && !isLastAttempt(delivery.attempts)) throw err;
      await fail(err.code, err.message);
      return;
    }
    throw err;
  }
}
