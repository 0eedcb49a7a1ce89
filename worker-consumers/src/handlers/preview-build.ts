import type { BundleManifest } from "../../../schema/api/previews";
import { contentTypeFor } from "../../../schema/content-types";
import type { JobErrorCode } from "../../../schema/job-errors";
import { parseLimits } from "../../../schema/limits";
import type { PreviewBuildMessage } from "../../../schema/queue-messages";
import { r2Keys } from "../../../schema/storage-keys";
import type { Env } from "../env";

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * preview-tasks: resolves the revision's files, checks limits and the entry file, writes the bundle
 * manifest create-only to R2 and reports `ready` with its summary (or `failed` with a reason). No
 * transpiling or zipping: a device fetches the mirrored files by hash and only those it lacks.
 */
export async function handlePreviewBuild(message: PreviewBuildMessage, env: Env): Promise<void> {
  const task = await env.API.startPreviewBuild(message.session_id);
  if (!task) return; // built already, cancelled or expired: a late or duplicate delivery
  const fail = (code: JobErrorCode, text: string) =>
    env.API.reportPreviewResult(task.session_id, { status: "failed", error: { code, message: text } });

  const files = await env.API.getMirrorFiles(task.project.id, task.revision);
  if (files.length === 0) return void (await fail("mirror_empty", "The revision has no files."));
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
  // A bundle is one revision: the same MAX_PROJECT_FILES / MAX_PROJECT_BYTES worker-api enforces.
  const limits = parseLimits(env);
  if (files.length > limits.maxProjectFiles || totalBytes > limits.maxProjectBytes) {
    return void (await fail(
      "limit_exceeded",
      `${files.length} files / ${totalBytes} bytes is over the bundle limit.`,
    ));
  }
  if (task.project.entry && !files.some((f) => f.path === task.project.entry)) {
    return void (await fail(
      "entry_missing",
      `The entry file ${task.project.entry} is not in revision ${task.revision}.`,
    ));
  }

  await env.API.reportPreviewStage(task.session_id, "writing_manifest", 0.6);
  const manifest: BundleManifest = {
    session_id: task.session_id,
    project: task.project,
    platform: task.platform,
    revision: task.revision,
    created_at: new Date().toISOString(),
    files: files
      .map((f) => ({ path: f.path, sha256: f.sha256, size: f.size, content_type: contentTypeFor(f.path) }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    total_bytes: totalBytes,
  };
  const key = r2Keys.bundle(task.project.id, task.session_id);
  let bytes = new TextEncoder().encode(JSON.stringify(manifest));
  const written = await env.BLOBS.put(key, bytes, {
    onlyIf: { etagDoesNotMatch: "*" },
    httpMetadata: { contentType: "application/json" },
  });
  if (!written) {
    // A redelivery after an earlier attempt wrote the manifest: report that one, byte for byte.
    const existing = await env.BLOBS.get(key);
    if (!existing) throw new Error("manifest vanished between create-only put and read");
    bytes = new Uint8Array(await existing.arrayBuffer());
  }
  const { applied } = await env.API.reportPreviewResult(task.session_id, {
    status: "ready",
    bundle: { file_count: files.length, total_bytes: totalBytes, manifest_sha256: await sha256Hex(bytes) },
  });
  // Refused because the session ended meanwhile (expired or cancelled while building): a manifest
  // written after its expiry clean-up would be orphaned, so remove it. A duplicate "ready" keeps it.
  if (!applied && (await env.API.previewStatus(task.session_id)) !== "ready") await env.BLOBS.delete(key);
}
