/**
 * Every machine code a failed AI job, repo sync or preview build records as `error.code`, what it
 * means, and whether it is retryable: starting the same work again later can succeed with nothing
 * changed (the failure was transient), where a non-retryable failure needs the input or the
 * configuration fixed first. `JobError.code` (schema/api/mirror.ts) is typed from this table, so
 * the OpenAPI document lists every code and recording one not listed here fails to compile.
 */
export const JOB_ERRORS = {
  // Any job.
  queue_unavailable: { retryable: true, meaning: "worker-api could not queue the work." },
  dead_lettered: { retryable: true, meaning: "The work failed on every retry and was given up." },
  stranded: {
    retryable: true,
    meaning:
      "The work was accepted but never ran: its queue message was lost or never delivered, and re-sending it did not help.",
  },
  // AI jobs.
  file_missing: { retryable: false, meaning: "The file's content is no longer in storage." },
  input_too_large: {
    retryable: false,
    meaning: "The file is over MAX_AI_INPUT_BYTES, or the provider refused it as too large.",
  },
  provider_misconfigured: {
    retryable: false,
    meaning: "AI_PROVIDER and its vars name no usable provider; operators must fix them.",
  },
  provider_unavailable: { retryable: true, meaning: "The AI provider could not be reached or rate limited." },
  provider_timeout: { retryable: true, meaning: "The AI provider did not answer in time." },
  provider_rejected: {
    retryable: false,
    meaning: "The AI provider refused the request (credentials, model or input).",
  },
  invalid_response: { retryable: true, meaning: "The AI provider's answer was not a usable result." },
  // Repo syncs.
  blob_missing: {
    retryable: false,
    meaning: "A file's blob is missing from storage or has the wrong size; push it again.",
  },
  // Preview builds.
  project_deleted: { retryable: false, meaning: "The project was deleted before the build ran." },
  mirror_empty: { retryable: false, meaning: "The revision to preview has no files." },
  limit_exceeded: { retryable: false, meaning: "The revision has more files or bytes than a bundle may." },
  entry_missing: { retryable: false, meaning: "The project's entry file is not in the revision." },
  build_error: {
    retryable: false,
    meaning:
      "A source file does not compile (a syntax error, invalid JSON); the error names file, line and column.",
  },
  module_not_found: {
    retryable: false,
    meaning:
      "A require() names a file, asset or package that is neither in the revision, nor in the preview runtime, nor an uploaded dependency.",
  },
} as const satisfies Record<string, { retryable: boolean; meaning: string }>;

export type JobErrorCode = keyof typeof JOB_ERRORS;

/** Every job error code, in table order. */
export const JOB_ERROR_CODES = Object.keys(JOB_ERRORS) as [JobErrorCode, ...JobErrorCode[]];
