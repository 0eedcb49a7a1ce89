import { UNCOMMITTED_BLOB_TTL_HOURS } from "../../../schema/limits";
import type { Db } from "../db";
import { ApiError } from "../lib/api-error";
import { uncommittedBytes } from "./uncommitted-store";

/**
 * Blobs uploaded and not (yet) named by a commit may take at most `MAX_PROJECT_BYTES` per
 * project: the most one revision can need uploaded, so a push that replaces every file of a full
 * project still fits, while uploads that are never committed cannot pile up (they are deleted
 * after `UNCOMMITTED_BLOB_TTL_HOURS`). Committed bytes are limited per revision, on commit.
 */
export function uploadAllowance(config: { maxProjectBytes: number }): number {
  return config.maxProjectBytes;
}

/**
 * The 413 for an upload over the allowance, in the same code and `details.limit` as a commit over
 * `MAX_PROJECT_BYTES` (no `max_blobs`/`max_bytes`: nothing a smaller batch would fix).
 */
export async function overAllowance(db: Db, projectId: string, limit: number, bytes: number) {
  const uncommitted = await uncommittedBytes(db, projectId);
  return new ApiError(
    "PAYLOAD_TOO_LARGE",
    `This project's uploads that no commit names yet may take at most ${limit} bytes (MAX_PROJECT_BYTES): it has ${uncommitted}, and this upload adds ${bytes}. Commit what was uploaded, or wait: uploads no commit names are deleted ${UNCOMMITTED_BLOB_TTL_HOURS} hours after they were made.`,
    { limit, uncommitted_bytes: uncommitted, bytes },
  );
}
