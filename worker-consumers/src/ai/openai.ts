// AI_PROVIDER=openai: any OpenAI-compatible chat-completions endpoint — hosted APIs and local
// servers such as Ollama (http://localhost:11434/v1). One document() call is one HTTP attempt:
// retries belong to the queue, which backs off between deliveries.

import { z } from "zod";
import { buildPrompt, parseAnswer } from "./chat-prompt";
import { clip } from "./text";
import { type AiInput, type AiProvider, type AiResult, ProviderError } from "./types";

/** Per-attempt timeout: well inside a queue consumer's wall-clock budget, long enough for a large file. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** ≈ 50k tokens of numbered source: fits 128k-context hosted models with room for the answer. */
export const DEFAULT_OPENAI_MAX_INPUT_CHARS = 200_000;

/** Endpoint and model from AI_BASE_URL / AI_MODEL, key from the AI_API_KEY secret (optional for local servers). */
export type OpenAiOptions = {
  baseUrl: string;
  model: string;
  apiKey?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
  maxInputChars?: number;
};

const Completion = z.object({
  model: z.string().optional().catch(undefined),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable().optional() }).passthrough(),
        finish_reason: z.string().nullable().optional().catch(undefined),
      }),
    )
    .min(1),
});

const ErrorBody = z.object({
  error: z.union([
    z.string(),
    z.object({ message: z.string().optional(), code: z.unknown().optional() }).passthrough(),
  ]),
});

/** Seconds from a Retry-After header (delta-seconds or HTTP date), if usable. */
function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** Provides documentation through POST {baseUrl}/chat/completions. */
export class OpenAiProvider implements AiProvider {
  readonly name = "openai";
  readonly model: string;
  private readonly endpoint: string;
  /** Host only: safe for error messages (a base URL may carry user:password). */
  private readonly host: string;
  private readonly apiKey: string | undefined;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private readonly maxInputChars: number;

  /** Throws a plain Error for a base URL that is not an http(s) URL: configuration, not a job failure. */
  constructor(options: OpenAiOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new Error("AI_BASE_URL is not a valid URL (expected e.g. https://api.openai.com/v1).");
    }
    if (url.protocol !== "https:" && url.protocol !== "http:")
      throw new Error("AI_BASE_URL must be an http(s) URL (e.g. https://api.openai.com/v1).");
    this.endpoint = `${options.baseUrl.replace(/\/+$/, "")}/chat/completions`;
    this.host = url.host;
    this.model = options.model;
    this.apiKey = options.apiKey || undefined;
    // Bound to globalThis: workerd rejects an unbound `fetch` called as a method of another object.
    this.fetchFn = options.fetch ?? ((...args: Parameters<typeof fetch>) => fetch(...args));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxInputChars = options.maxInputChars ?? DEFAULT_OPENAI_MAX_INPUT_CHARS;
  }

  /** One chat-completions request; failures are classified into retryable / permanent ProviderErrors. */
  async document(input: AiInput, signal?: AbortSignal): Promise<AiResult> {
    signal?.throwIfAborted();
    const { messages, window } = buildPrompt(input, this.maxInputChars);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/json",
    };
    // No key (e.g. a local Ollama): send no Authorization header at all rather than "Bearer ".
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    const body = JSON.stringify({
      model: this.model,
      messages,
      response_format: { type: "json_object" },
      stream: false,
    });
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;

    let status: number;
    let text: string;
    let retryAfterHeader: string | null;
    try {
      const response = await this.fetchFn(this.endpoint, { method: "POST", headers, body, signal: combined });
      status = response.status;
      retryAfterHeader = response.headers.get("retry-after");
      text = await response.text();
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted)
        throw new ProviderError(
          "provider_timeout",
          `${this.host} did not answer within ${this.timeoutMs} ms.`,
          {
            retryable: true,
          },
        );
      throw new ProviderError(
        "provider_unavailable",
        `Could not reach ${this.host}: ${clip(this.redact(errorText(err)), 200)}`,
        {
          retryable: true,
        },
      );
    }
    if (status < 200 || status >= 300) throw this.httpError(status, text, retryAfterHeader);

    let envelope: z.infer<typeof Completion>;
    try {
      envelope = Completion.parse(JSON.parse(text));
    } catch {
      throw new ProviderError(
        "invalid_response",
        `${this.host} answered ${status} without a chat completion.`,
        {
          retryable: true,
        },
      );
    }
    const choice = envelope.choices[0]!;
    const content = choice.message.content ?? "";
    const { summary, sections } = parseAnswer(content, window, {
      truncated: choice.finish_reason === "length",
    });
    return { summary, sections, provider: this.name, model: envelope.model || this.model };
  }

  /** Maps an HTTP error status to a ProviderError; the provider's own message is included, redacted. */
  private httpError(status: number, text: string, retryAfterHeader: string | null): ProviderError {
    const detail = this.providerMessage(text);
    const suffix = detail ? `: ${detail}` : ".";
    if (status === 429) {
      const seconds = retryAfter(retryAfterHeader);
      return new ProviderError(
        "provider_unavailable",
        `${this.host} rate limited the request (429)${suffix}`,
        {
          retryable: true,
          ...(seconds !== undefined ? { retryAfterSeconds: seconds } : {}),
        },
      );
    }
    if (status === 408 || status === 504)
      return new ProviderError("provider_timeout", `${this.host} timed out (${status})${suffix}`, {
        retryable: true,
      });
    if (status >= 500)
      return new ProviderError("provider_unavailable", `${this.host} failed with ${status}${suffix}`, {
        retryable: true,
      });
    if (
      status === 413 ||
      (status === 400 &&
        /context[_ ]length|context window|maximum context|too many tokens|too long/i.test(detail))
    )
      return new ProviderError(
        "input_too_large",
        `${this.host} rejected the input as too large (${status})${suffix}`,
        {
          retryable: false,
        },
      );
    if (status === 401 || status === 403)
      return new ProviderError(
        "provider_rejected",
        `${this.host} rejected the credentials (${status}); check AI_API_KEY${suffix}`,
        {
          retryable: false,
        },
      );
    if (status === 404)
      return new ProviderError(
        "provider_rejected",
        `${this.host} answered 404; check AI_BASE_URL and AI_MODEL${suffix}`,
        {
          retryable: false,
        },
      );
    if (status >= 400)
      return new ProviderError(
        "provider_rejected",
        `${this.host} rejected the request (${status})${suffix}`,
        { retryable: false },
      );
    // 1xx/3xx that fetch did not resolve: nothing usable came back.
    return new ProviderError("invalid_response", `${this.host} answered ${status}.`, { retryable: true });
  }

  /** The error message from an OpenAI-style error body, or the start of a plain-text body. */
  private providerMessage(text: string): string {
    let message = text;
    try {
      const parsed = ErrorBody.safeParse(JSON.parse(text));
      if (parsed.success) {
        const e = parsed.data.error;
        message =
          typeof e === "string"
            ? e
            : [e.message, typeof e.code === "string" ? `(${e.code})` : ""].filter(Boolean).join(" ");
      }
    } catch {
      // Not JSON (an HTML error page, a proxy's text): use the text itself.
    }
    // Redact before clipping, so a key cut in half at the clip boundary cannot leak its first part.
    return clip(this.redact(message.replace(/\s+/g, " ").trim()), 200);
  }

  /** Removes the API key wherever a provider or runtime echoed it back. */
  private redact(text: string): string {
    return this.apiKey ? text.split(this.apiKey).join("[redacted]") : text;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
