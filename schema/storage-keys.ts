/**
 * R2 key layout, shared by both Workers: everything of a project lives under `p/<project_id>/`;
 * module scripts and asset copies of the runnable preview (docs/previews.md §1) live under
 * `modules/`, shared by every project, because their keys are hashes of what they hold.
 */
export const r2Keys = {
  projectPrefix: (projectId: string) => `p/${projectId}/`,
  /** A blob uploaded alone (`PUT /blobs/:sha256`, or before packs), at its content address. */
  blob: (projectId: string, sha256: string) => `p/${projectId}/blobs/${sha256}`,
  /**
   * A pack: the blobs of one batch upload back to back, written once under a fresh id; which blob
   * is where is in `mirror_blobs` (read through schema/blob-location.ts).
   */
  pack: (projectId: string, packId: string) => `p/${projectId}/packs/${packId}`,
  snapshot: (projectId: string, revision: number) => `p/${projectId}/mirror/${revision}.json`,
  /** A session's manifest of one revision (immutable once written). */
  bundle: (projectId: string, sessionId: string, revision: number) =>
    `p/${projectId}/bundles/${sessionId}/${revision}.json`,
  /** The manifest of the same revision a viewer gets: only the files the app uses (schema/viewer-manifest.ts). */
  viewerBundle: (projectId: string, sessionId: string, revision: number) =>
    `p/${projectId}/bundles/${sessionId}/${revision}.viewer.json`,
  /** Every manifest of a session (deleted when it ends). */
  bundlePrefix: (projectId: string, sessionId: string) => `p/${projectId}/bundles/${sessionId}/`,
  /** A module script, by its key (`GET /m/<key>.js`). */
  module: (key: string) => `modules/${key}.js`,
  /** An asset's bytes, by their SHA-256 (`GET /m/blob/<sha256>.<ext>`). */
  moduleBlob: (sha256: string) => `modules/blob/${sha256}`,
};
