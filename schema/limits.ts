/**
 * The mirror and AI limits, with their defaults in this one place: worker-api enforces them when it
 * accepts work, worker-consumers again when it does the work, and both parse them here. The vars
 * worker-consumers reads must have the same value in both wrangler.toml files (checked by
 * `npm run check`, scripts/check-wrangler-config.ts).
 */
export const LIMIT_DEFAULTS = {
  MAX_FILE_BYTES: 10 * 1024 * 1024,
  MAX_PROJECT_FILES: 5000,
  MAX_PROJECT_BYTES: 200 * 1024 * 1024,
  MAX_AI_INPUT_BYTES: 256 * 1024,
  /**
   * One blob-batch upload (`POST /projects/:id/blobs/batch`): at most this many blobs and bytes
   * (the blobs' sum; the header line comes on top). The new blobs of a batch are one R2 put (a
   * pack, held in memory until it is written: hence the byte cap) and ⌈n/16⌉ insert statements of
   * one D1 batch. worker-api only; the clients pack their batches by these defaults and shrink on a
   * 413 that names the limits.
   */
  MAX_BATCH_BLOBS: 256,
  MAX_BATCH_BYTES: 16 * 1024 * 1024,
} as const;

export type LimitVar = keyof typeof LIMIT_DEFAULTS;

/**
 * How long a blob that was uploaded but that no revision or dependency set names is kept: the
 * daily clean-up (worker-api/src/maintenance.ts) deletes it once it is this old. A push commits
 * seconds after its uploads; a day leaves room for one that stalls and is resumed. Until then it
 * counts toward the project's uncommitted bytes, which may not exceed `MAX_PROJECT_BYTES`.
 */
export const UNCOMMITTED_BLOB_TTL_HOURS = 24;

/** The limit vars worker-consumers reads as well (a bundle is one revision; an AI job one file). */
export const SHARED_LIMIT_VARS = [
  "MAX_PROJECT_FILES",
  "MAX_PROJECT_BYTES",
  "MAX_AI_INPUT_BYTES",
] as const satisfies readonly LimitVar[];

export type Limits = {
  maxFileBytes: number;
  maxProjectFiles: number;
  maxProjectBytes: number;
  maxAiInputBytes: number;
  maxBatchBlobs: number;
  /** Never below `maxFileBytes`: any file the mirror takes fits a batch of its own. */
  maxBatchBytes: number;
};

/**
 * A var holding a positive integer, or `fallback` when it is unset, empty or anything else. Vars
 * are strings whatever the config says (production overrides the development values).
 */
export function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isInteger(n) && n > 0 ? n : fallback;
}

/** The limits from a Worker's vars; a Worker without some of the vars gets their defaults. */
export function parseLimits(vars: { [V in LimitVar]?: string }): Limits {
  return {
    maxFileBytes: positiveInt(vars.MAX_FILE_BYTES, LIMIT_DEFAULTS.MAX_FILE_BYTES),
    maxProjectFiles: positiveInt(vars.MAX_PROJECT_FILES, LIMIT_DEFAULTS.MAX_PROJECT_FILES),
    maxProjectBytes: positiveInt(vars.MAX_PROJECT_BYTES, LIMIT_DEFAULTS.MAX_PROJECT_BYTES),
    maxAiInputBytes: positiveInt(vars.MAX_AI_INPUT_BYTES, LIMIT_DEFAULTS.MAX_AI_INPUT_BYTES),
    maxBatchBlobs: positiveInt(vars.MAX_BATCH_BLOBS, LIMIT_DEFAULTS.MAX_BATCH_BLOBS),
    maxBatchBytes: Math.max(
      positiveInt(vars.MAX_BATCH_BYTES, LIMIT_DEFAULTS.MAX_BATCH_BYTES),
      positiveInt(vars.MAX_FILE_BYTES, LIMIT_DEFAULTS.MAX_FILE_BYTES),
    ),
  };
}
