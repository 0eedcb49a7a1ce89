// AI_PROVIDER=workers-ai: Cloudflare Workers AI through the `AI` binding. Same prompt and answer
// rules as the OpenAI-compatible provider (chat-prompt.ts); one document() call is one attempt.

import { ANSWER_JSON_SCHEMA, buildPrompt, parseAnswer } from "./chat-prompt";
import { clip } from "./text";
import { type AiInput, type AiProvider, type AiResult, ProviderError } from "./types";

/**
 * Llama 3.3 70B (fp8, fast): a current Workers AI instruct model that supports JSON mode and has a
 * 24k-token context. (The older `@cf/meta/llama-3.1-8b-instruct` id is no longer in the binding's
 * model list, and its 8k context holds only small files.)
 */
export const DEFAULT_WORKERS_AI_MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
/** ≈ 15k tokens of numbered source, leaving the rest of a 24k context for the prompt and answer. */
export const DEFAULT_WORKERS_AI_MAX_INPUT_CHARS = 60_000;
/** Same per-attempt budget as the OpenAI-compatible provider. */
export const DEFAULT_WORKERS_AI_TIMEOUT_MS = 30_000;
// Workers AI defaults to 256 output tokens, far too few for a JSON answer with sections.
const MAX_OUTPUT_TOKENS = 2048;

/** The one method of the `AI` binding this provider uses; a test fake implements just this. */
export type AiRunner = {
  run(model: string, inputs: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<unknown>;
};

/** `binding` is env.AI (absent when wrangler.toml has no [ai] section); `model` defaults to DEFAULT_WORKERS_AI_MODEL. */
export type WorkersAiOptions = {
  binding?: AiRunner;
  model?: string;
  timeoutMs?: number;
  maxInputChars?: number;
};

/** Rejects when `signal` aborts even if `promise` ignores the signal (a binding may not honour it). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Classifies an error thrown by `AI.run`. The binding throws plain Errors whose message carries
 * Workers AI's code and text (e.g. "3040: Capacity temporarily exceeded"), so this matches on them.
 * Unknown failures of the remote service count as transient: the queue's retry budget bounds them.
 */
export function classifyWorkersAiError(err: unknown): ProviderError {
  const message = clip(err instanceof Error ? `${err.message}` : String(err), 200);
  const is = (re: RegExp) => re.test(message);
  if (is(/\b(3036|429)\b|rate.?limit|too many requests|neurons|daily free allocation/i))
    return new ProviderError("provider_unavailable", `Workers AI rate limited the request: ${message}`, {
      retryable: true,
      cause: err,
    });
  if (is(/context (window|length)|too many tokens|input (is )?too (long|large)|maximum (context|input)/i))
    return new ProviderError("input_too_large", `Workers AI rejected the input as too large: ${message}`, {
      retryable: false,
      cause: err,
    });
  if (
    is(
      /\b(5007|5006|5004|8001|10000)\b|no such model|model not found|invalid input|bad input|unauthori[sz]ed|authentication|forbidden|not logged in/i,
    )
  )
    return new ProviderError("provider_rejected", `Workers AI rejected the request: ${message}`, {
      retryable: false,
      cause: err,
    });
  if (is(/timed? ?out|timeout/i))
    return new ProviderError("provider_timeout", `Workers AI timed out: ${message}`, {
      retryable: true,
      cause: err,
    });
  return new ProviderError("provider_unavailable", `Workers AI failed: ${message}`, {
    retryable: true,
    cause: err,
  });
}

type Reply = { reply: unknown; truncated: boolean };

/**
 * The model's answer from `run`'s output: a string, `{response: string | object}` (object when
 * JSON mode parsed it already), or an OpenAI-style `{choices: [{message: {content}}]}` that some
 * newer models return.
 */
function replyOf(output: unknown): Reply | undefined {
  if (typeof output === "string") return { reply: output, truncated: false };
  if (typeof output !== "object" || output === null) return undefined;
  const o = output as Record<string, unknown>;
  const usage = o.usage as { completion_tokens?: unknown } | undefined;
  const truncated =
    typeof usage?.completion_tokens === "number" && usage.completion_tokens >= MAX_OUTPUT_TOKENS;
  if (typeof o.response === "string" || (typeof o.response === "object" && o.response !== null))
    return { reply: o.response, truncated };
  const choice = Array.isArray(o.choices)
    ? (o.choices[0] as { message?: { content?: unknown }; finish_reason?: unknown })
    : undefined;
  if (typeof choice?.message?.content === "string")
    return { reply: choice.message.content, truncated: truncated || choice.finish_reason === "length" };
  return undefined;
}

/** Provides documentation through the Workers AI binding. */
export class WorkersAiProvider implements AiProvider {
  readonly name = "workers-ai";
  readonly model: string;
  private readonly binding: AiRunner | undefined;
  private readonly timeoutMs: number;
  private readonly maxInputChars: number;

  constructor(options: WorkersAiOptions) {
    this.binding = options.binding;
    this.model = options.model || DEFAULT_WORKERS_AI_MODEL;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_WORKERS_AI_TIMEOUT_MS;
    this.maxInputChars = options.maxInputChars ?? DEFAULT_WORKERS_AI_MAX_INPUT_CHARS;
  }

  /**
   * One `AI.run` call. A missing binding is a deployment mistake that no retry can fix, so it is
   * `provider_unavailable` with retryable=false: the job fails at once with the spec's code
   * instead of waiting through the whole backoff schedule for the same outcome.
   */
  async document(input: AiInput, signal?: AbortSignal): Promise<AiResult> {
    if (!this.binding)
      throw new ProviderError(
        "provider_unavailable",
        'AI_PROVIDER is "workers-ai" but this Worker has no AI binding (add `[ai] binding = "AI"` to worker-consumers/wrangler.toml).',
        { retryable: false },
      );
    signal?.throwIfAborted();
    const { messages, window } = buildPrompt(input, this.maxInputChars);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let output: unknown;
    try {
      output = await untilAborted(
        this.binding.run(
          this.model,
          {
            messages,
            response_format: { type: "json_schema", json_schema: ANSWER_JSON_SCHEMA },
            max_tokens: MAX_OUTPUT_TOKENS,
          },
          { signal: combined },
        ),
        combined,
      );
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted)
        throw new ProviderError(
          "provider_timeout",
          `Workers AI did not answer within ${this.timeoutMs} ms.`,
          { retryable: true },
        );
      throw classifyWorkersAiError(err);
    }
    const reply = replyOf(output);
    if (!reply)
      throw new ProviderError("invalid_response", "Workers AI returned no text response.", {
        retryable: true,
      });
    const { summary, sections } = parseAnswer(reply.reply, window, { truncated: reply.truncated });
    return { summary, sections, provider: this.name, model: this.model };
  }
}
