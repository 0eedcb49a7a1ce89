/**
 * Type prefixes of every ID the API hands out (spec §2), and of the one it keeps to itself: a blob
 * pack's (`mirror_blobs.pack`, schema/storage-keys.ts).
 */
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
  pack: "pak",
} as const;

export type IdKind = keyof typeof ID_PREFIX;
