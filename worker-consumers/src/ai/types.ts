// The provider contract. It lives here rather than in provider.ts so that the provider
// implementations can import it while provider.ts imports them (no import cycle); provider.ts
// re-exports all of it and is the module the job consumer imports.

/** The three job kinds of `POST /ai/jobs` (spec §6). */
export type AiJobType = "summarize_file" | "explain_selection" | "document_symbols";

/** 1-based, inclusive line range, as the API accepts it (spec §6). */
export type AiSelection = { start_line: number; end_line: number };

/** One job's input: the file version's text as stored in R2, and the selection if the job has one. */
export type AiInput = {
  type: AiJobType;
  path: string;
  content: string;
  selection?: AiSelection;
};

/** A titled note about a line range of the file (1-based, inclusive). */
export type AiSection = { title: string; line_start: number; line_end: number; text: string };

/** Stored as the job's `result` (schema/api/ai.ts `AiResult`) and posted as an `ai` comment on request. */
export type AiResult = { summary: string; sections: AiSection[]; provider: string; model: string };

/** A way to document a file; `createProvider` picks one from AI_PROVIDER. */
export interface AiProvider {
  /** Value of AI_PROVIDER that selects this provider; also reported as `result.provider`. */
  readonly name: string;
  /**
   * Documents one file. Failures the job should record are thrown as {@link ProviderError}; when
   * `signal` aborts, its reason is thrown unchanged (the caller decided, the provider did not fail).
   */
  document(input: AiInput, signal?: AbortSignal): Promise<AiResult>;
}

/** Machine codes a failed job ends with (spec §6). */
export type ProviderErrorCode =
  | "provider_unavailable"
  | "provider_rejected"
  | "provider_timeout"
  | "invalid_response"
  | "input_too_large";

/**
 * A provider failure with a machine code the job records, and whether trying the same input again
 * later can succeed: the consumer retries retryable errors with queue backoff and fails the job
 * at once on the others. Messages are safe to store and log: they never hold API keys or file
 * content.
 */
export class ProviderError extends Error {
  override readonly name = "ProviderError";
  readonly code: ProviderErrorCode;
  readonly retryable: boolean;
  /** From a 429's Retry-After header, when the provider sent one. */
  readonly retryAfterSeconds?: number;

  constructor(
    code: ProviderErrorCode,
    message: string,
    options: { retryable: boolean; retryAfterSeconds?: number; cause?: unknown },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
