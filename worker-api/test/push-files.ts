import { sha256Hex } from "../src/lib/crypto";

/** How a test reaches worker-api: its own SELF, or the auxiliary Worker from the consumers project. */
export type ApiFetch = (path: string, init: RequestInit) => Promise<Response>;

/**
 * Mirrors `files` the way a desktop does: uploads each blob, then commits one change set on
 * `baseRevision`. Shared by both test projects so the upload/commit protocol is written once.
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
  for (const [path, content] of Object.entries(files)) {
    const hash = await sha256Hex(content);
    const up = await fetchApi(`/api/v1/projects/${projectId}/blobs/${hash}`, {
      method: "PUT",
      headers: { authorization, "content-type": "application/octet-stream" },
      body: content,
    });
    if (up.status !== 201 && up.status !== 200)
      throw new Error(`upload ${path}: ${up.status} ${await up.text()}`);
    changes.push({ op: "put", path, sha256: hash, size: new TextEncoder().encode(content).length });
  }
  const res = await fetchApi(`/api/v1/projects/${projectId}/mirror/changes`, {
    method: "POST",
    headers: { authorization, "content-type": "application/json" },
    body: JSON.stringify({ base_revision: baseRevision, changes }),
  });
  if (res.status !== 202) throw new Error(`commit: ${res.status} ${await res.text()}`);
  return (await res.json()) as { revision: number; sync_id: string };
}
