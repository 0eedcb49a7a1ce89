import { BLOB_BATCH_CONTENT_TYPE } from "../../schema/api/mirror";
import { sha256Hex } from "../src/lib/crypto";

/** How a test reaches worker-api: its own SELF, or the auxiliary Worker from the consumers project. */
export type ApiFetch = (path: string, init: RequestInit) => Promise<Response>;

const encoder = new TextEncoder();

/** The batch upload's body: the JSON header line, then the blobs' bytes back to back. */
export function batchBody(blobs: { sha256: string; bytes: Uint8Array }[]): Uint8Array {
  const header = encoder.encode(
    `${JSON.stringify({ blobs: blobs.map((b) => ({ sha256: b.sha256, size: b.bytes.byteLength })) })}\n`,
  );
  const body = new Uint8Array(header.byteLength + blobs.reduce((n, b) => n + b.bytes.byteLength, 0));
  body.set(header);
  let at = header.byteLength;
  for (const blob of blobs) {
    body.set(blob.bytes, at);
    at += blob.bytes.byteLength;
  }
  return body;
}

/**
 * Mirrors `files` the way a desktop does: uploads their blobs in one batch (`POST /blobs/batch`,
 * so they land in one pack), then commits one change set on `baseRevision`. Shared by both test
 * projects so the upload/commit protocol is written once.
 */
export async function pushFilesVia(
  fetchApi: ApiFetch,
  token: string,
  projectId: string,
  files: Record<string, string>,
  baseRevision = 0,
): Promise<{ revision: number; sync_id: string }> {
  const authorization = `Bearer ${token}`;
  const changes = [];
  const blobs = new Map<string, Uint8Array>();
  for (const [path, content] of Object.entries(files)) {
    const bytes = encoder.encode(content);
    const hash = await sha256Hex(bytes);
    blobs.set(hash, bytes);
    changes.push({ op: "put", path, sha256: hash, size: bytes.byteLength });
  }
  if (blobs.size > 0) {
    const up = await fetchApi(`/api/v1/projects/${projectId}/blobs/batch`, {
      method: "POST",
      headers: { authorization, "content-type": BLOB_BATCH_CONTENT_TYPE },
      body: batchBody([...blobs].map(([sha256, bytes]) => ({ sha256, bytes }))),
    });
    const text = await up.text();
    if (up.status !== 200) throw new Error(`upload: ${up.status} ${text}`);
    const { results } = JSON.parse(text) as { results: { sha256: string; status: string }[] };
    const failed = results.filter((r) => r.status !== "stored" && r.status !== "already_stored");
    if (failed.length > 0) throw new Error(`upload: ${JSON.stringify(failed)}`);
  }
  const res = await fetchApi(`/api/v1/projects/${projectId}/mirror/changes`, {
    method: "POST",
    headers: { authorization, "content-type": "application/json" },
    body: JSON.stringify({ base_revision: baseRevision, changes }),
  });
  if (res.status !== 202) throw new Error(`commit: ${res.status} ${await res.text()}`);
  return (await res.json()) as { revision: number; sync_id: string };
}
