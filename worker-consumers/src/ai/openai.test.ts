import { describe, expect, it } from "vitest";
import { OpenAiProvider } from "./openai";
import { type AiInput, ProviderError } from "./types";

const KEY = "sk-test-0123456789abcdef";
const CONTENT = 'import { Hono } from "hono";\n\nexport const app = new Hono();\n';
const INPUT: AiInput = { type: "summarize_file", path: "src/app.ts", content: CONTENT };

type Call = { url: string; init: RequestInit };

/** A fetch stub that records requests and answers from a queue of responders (one per attempt). */
function stubFetch(...responders: ((call: Call) => Response | Promise<Response>)[]) {
  const calls: Call[] = [];
  const fetchStub = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), init: init ?? {} };
    calls.push(call);
    const next = responders.shift();
    if (!next) throw new Error("unexpected extra request");
    return next(call);
  }) as typeof fetch;
  return { fetch: fetchStub, calls };
}

const completion = (content: string | null, extra: Record<string, unknown> = {}) =>
  Response.json({
    id: "chatcmpl-1",
    object: "chat.completion",
    model: "gpt-test-2026-01-01",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    ...extra,
  });

const ANSWER = {
  summary: "Creates the Hono app.",
  sections: [
    { title: "app", line_start: 3, line_end: 3, text: "The app instance." },
    { title: "Out of range", line_start: 0, line_end: 400, text: "Clamped to the file." },
    { title: "Broken", line_start: 1 },
  ],
};

function provider(
  fetchStub: typeof fetch,
  extra: Partial<ConstructorParameters<typeof OpenAiProvider>[0]> = {},
) {
  return new OpenAiProvider({
    baseUrl: "https://llm.example/v1/",
    model: "gpt-test",
    apiKey: KEY,
    fetch: fetchStub,
    ...extra,
  });
}

/** The ProviderError a promise rejects with (fails the test if it resolves or throws something else). */
async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  }
  throw new Error("expected a rejection");
}

describe("openai provider", () => {
  it("POSTs a JSON-mode chat completion with the key and model, and parses the answer", async () => {
    const stub = stubFetch(() => completion(JSON.stringify(ANSWER)));
    const result = await provider(stub.fetch).document(INPUT);

    expect(stub.calls).toHaveLength(1);
    const { url, init } = stub.calls[0]!;
    expect(url).toBe("https://llm.example/v1/chat/completions");
    expect(init.method).toBe("POST");
    const headers = new Headers(init.headers);
    expect(headers.get("authorization")).toBe(`Bearer ${KEY}`);
    expect(headers.get("content-type")).toBe("application/json");
    expect(init.signal).toBeInstanceOf(AbortSignal);
    const body = JSON.parse(String(init.body));
    expect(body.model).toBe("gpt-test");
    expect(body.response_format).toEqual({ type: "json_object" });
    expect(body.messages.map((m: { role: string }) => m.role)).toEqual(["system", "user"]);
    expect(body.messages[0].content).toContain('{"summary": string, "sections": [');
    expect(body.messages[1].content).toContain("File: src/app.ts");
    expect(body.messages[1].content).toContain(
      '1| import { Hono } from "hono";\n2| \n3| export const app = new Hono();',
    );

    expect(result).toEqual({
      summary: "Creates the Hono app.",
      sections: [
        { title: "app", line_start: 3, line_end: 3, text: "The app instance." },
        { title: "Out of range", line_start: 1, line_end: 3, text: "Clamped to the file." },
      ],
      provider: "openai",
      // The model the endpoint reports having used.
      model: "gpt-test-2026-01-01",
    });
  });

  it("sends no Authorization header without a key (local Ollama)", async () => {
    const stub = stubFetch(() => completion(JSON.stringify(ANSWER), { model: undefined }));
    const result = await provider(stub.fetch, {
      apiKey: undefined,
      baseUrl: "http://localhost:11434/v1",
    }).document(INPUT);
    expect(stub.calls[0]!.url).toBe("http://localhost:11434/v1/chat/completions");
    expect(new Headers(stub.calls[0]!.init.headers).has("authorization")).toBe(false);
    expect(result.model).toBe("gpt-test");
  });

  it("sends only the selection for explain_selection and keeps sections inside it", async () => {
    const content = Array.from({ length: 30 }, (_, i) => `const v${i + 1} = ${i + 1};`).join("\n");
    const stub = stubFetch(() =>
      completion(
        JSON.stringify({
          summary: "Two constants.",
          sections: [{ title: "v", line_start: 1, line_end: 30, text: "t" }],
        }),
      ),
    );
    const result = await provider(stub.fetch).document({
      type: "explain_selection",
      path: "src/v.ts",
      content,
      selection: { start_line: 10, end_line: 11 },
    });
    const user = JSON.parse(String(stub.calls[0]!.init.body)).messages[1].content as string;
    expect(user).toContain("10| const v10 = 10;\n11| const v11 = 11;");
    expect(user).not.toContain("v9 ");
    expect(user).not.toContain("v12 ");
    expect(result.sections).toEqual([{ title: "v", line_start: 10, line_end: 11, text: "t" }]);
  });

  it("a 5xx fails the attempt as retryable; the caller's retry (a new call) succeeds", async () => {
    const stub = stubFetch(
      () => new Response("upstream exploded", { status: 503 }),
      () => completion(JSON.stringify(ANSWER)),
    );
    const p = provider(stub.fetch);
    const err = await rejection(p.document(INPUT));
    expect(err).toMatchObject({ code: "provider_unavailable", retryable: true });
    expect(err.message).toContain("llm.example failed with 503: upstream exploded");
    await expect(p.document(INPUT)).resolves.toMatchObject({ summary: "Creates the Hono app." });
    expect(stub.calls).toHaveLength(2);
  });

  it("429 is retryable, says rate limited and keeps Retry-After", async () => {
    const stub = stubFetch(() =>
      Response.json(
        { error: { message: "Rate limit reached", code: "rate_limit_exceeded" } },
        { status: 429, headers: { "retry-after": "7" } },
      ),
    );
    const err = await rejection(provider(stub.fetch).document(INPUT));
    expect(err).toMatchObject({ code: "provider_unavailable", retryable: true, retryAfterSeconds: 7 });
    expect(err.message).toBe(
      "llm.example rate limited the request (429): Rate limit reached (rate_limit_exceeded)",
    );
  });

  it("a permanent 4xx is non-retryable provider_rejected, and the key never appears in the message", async () => {
    const stub = stubFetch(() =>
      Response.json({ error: { message: `Incorrect API key provided: ${KEY}.` } }, { status: 401 }),
    );
    const err = await rejection(provider(stub.fetch).document(INPUT));
    expect(err).toMatchObject({ code: "provider_rejected", retryable: false });
    expect(err.message).toContain("rejected the credentials (401); check AI_API_KEY");
    expect(err.message).toContain("[redacted]");
    expect(err.message).not.toContain(KEY);
    expect(err.message).not.toContain(KEY.slice(0, 12));

    const notFound = await rejection(
      provider(stubFetch(() => new Response("no", { status: 404 })).fetch).document(INPUT),
    );
    expect(notFound).toMatchObject({ code: "provider_rejected", retryable: false });
    expect(notFound.message).toContain("check AI_BASE_URL and AI_MODEL");
  });

  it("a context-length 400 or a 413 is input_too_large, not retryable", async () => {
    const stub = stubFetch(
      () =>
        Response.json(
          {
            error: {
              message: "This model's maximum context length is 8192 tokens.",
              code: "context_length_exceeded",
            },
          },
          { status: 400 },
        ),
      () => new Response("too big", { status: 413 }),
    );
    const p = provider(stub.fetch);
    expect(await rejection(p.document(INPUT))).toMatchObject({ code: "input_too_large", retryable: false });
    expect(await rejection(p.document(INPUT))).toMatchObject({ code: "input_too_large", retryable: false });
  });

  it("refuses input over its limit without calling the endpoint", async () => {
    const stub = stubFetch();
    const err = await rejection(provider(stub.fetch, { maxInputChars: 20 }).document(INPUT));
    expect(err).toMatchObject({ code: "input_too_large", retryable: false });
    expect(stub.calls).toHaveLength(0);
  });

  it("a network error is retryable provider_unavailable", async () => {
    const stub = stubFetch(() => {
      throw new TypeError(`Network connection lost (Bearer ${KEY})`);
    });
    const err = await rejection(provider(stub.fetch).document(INPUT));
    expect(err).toMatchObject({ code: "provider_unavailable", retryable: true });
    expect(err.message).toMatch(/^Could not reach llm\.example: Network connection lost/);
    expect(err.message).not.toContain(KEY);
  });

  it("handles malformed answers: prose becomes the summary; broken JSON and non-completions are retryable", async () => {
    const stub = stubFetch(
      () => completion("The file creates a Hono app and exports it."),
      () => completion('```json\n{"summary": "Fenced JSON.", "sections": []}\n```'),
      () =>
        Response.json({
          model: "m",
          choices: [{ message: { content: '{"summary": "The file crea' }, finish_reason: "length" }],
        }),
      () => new Response("<html>gateway</html>", { status: 200 }),
      () => completion(null),
      () => completion(JSON.stringify({ description: "wrong shape" })),
    );
    const p = provider(stub.fetch);
    await expect(p.document(INPUT)).resolves.toMatchObject({
      summary: "The file creates a Hono app and exports it.",
      sections: [],
    });
    await expect(p.document(INPUT)).resolves.toMatchObject({ summary: "Fenced JSON.", sections: [] });
    const truncated = await rejection(p.document(INPUT));
    expect(truncated).toMatchObject({ code: "invalid_response", retryable: true });
    expect(truncated.message).toContain("token limit");
    expect(await rejection(p.document(INPUT))).toMatchObject({ code: "invalid_response", retryable: true });
    expect(await rejection(p.document(INPUT))).toMatchObject({ code: "invalid_response", retryable: true });
    expect(await rejection(p.document(INPUT))).toMatchObject({ code: "invalid_response", retryable: true });
  });

  it("a request that outlives the timeout is aborted and reported as retryable provider_timeout", async () => {
    let sawAbort = false;
    const hanging = stubFetch(
      ({ init }) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener("abort", () => {
            sawAbort = true;
            reject(init.signal?.reason);
          });
        }),
    );
    const err = await rejection(provider(hanging.fetch, { timeoutMs: 50 }).document(INPUT));
    expect(err).toMatchObject({ code: "provider_timeout", retryable: true });
    expect(err.message).toBe("llm.example did not answer within 50 ms.");
    expect(sawAbort).toBe(true);
  });

  it("a caller's abort propagates as the caller's reason, not as a provider failure", async () => {
    const controller = new AbortController();
    const stub = stubFetch(
      ({ init }) =>
        new Promise<Response>((_resolve, reject) => {
          init.signal?.addEventListener("abort", () => reject(init.signal?.reason));
          controller.abort(new Error("shutting down"));
        }),
    );
    await expect(provider(stub.fetch).document(INPUT, controller.signal)).rejects.toThrow("shutting down");
  });

  it("rejects a base URL that is not http(s) at construction", () => {
    expect(() => new OpenAiProvider({ baseUrl: "not a url", model: "m" })).toThrow(
      /AI_BASE_URL is not a valid URL/,
    );
    expect(() => new OpenAiProvider({ baseUrl: "ftp://x/v1", model: "m" })).toThrow(/http\(s\)/);
  });
});
