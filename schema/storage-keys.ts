/** R2 key layout, shared by both Workers: everything of a project lives under `p/<project_id>/`. */
export const r2Keys = {
  projectPrefix: (projectId: string) => `p/${projectId}/`,
  blob: (projectId: string, sha256: string) => `p/${projectId}/blobs/${sha256}`,
  snapshot: (projectId: string, revision: number) => `p/${projectId}/mirror/${revision}.json`,
  bundle: (projectId: string, sessionId: string) => `p/${projectId}/bundles/${sessionId}.json`,
};
