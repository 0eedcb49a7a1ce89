/** Type prefixes of every ID the API hands out (spec §2). */
export const ID_PREFIX = {
  user: "usr",
  authSession: "ses",
  project: "prj",
  comment: "cmt",
  previewSession: "pvs",
  job: "job",
  sync: "syn",
  notification: "ntf",
  device: "dev",
  request: "req",
} as const;

export type IdKind = keyof typeof ID_PREFIX;
