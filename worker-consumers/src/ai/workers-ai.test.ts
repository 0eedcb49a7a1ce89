import { describe, expect, it } from "vitest";
import { ANSWER_JSON_SCHEMA } from "./chat-prompt";
import { type AiInput, ProviderError } from "./types";
import {
  type AiRunner,
  classifyWorkersAiError,
  DEFAULT_WORKERS_AI_MODEL,
  WorkersAiProvider,
} from "./workers-ai";

const INPUT: AiInput = {
  type: "document_symbols",
  path: "src/util.ts",
  content: "export const one = 1;\nexport const two = 2;\n",
};

type RunCall = { model: string; inputs: Record<string, unknown>; options?: { signal?: AbortSignal } };

/** A fake `AI` binding answering from a queue of handlers, one per run() call. */
function fakeAi(...handlers: ((call: RunCall) => unknown)[]) {
  const calls: RunCall[] = [];
  const binding: AiRunner = {
    async run(model, inputs, options) {
      const call = { model, inputs, ...(options ? { options } : {}) };
      calls.push(call);
      const next = handlers.shift();
      if (!next) throw new Error("unexpected extra run");
      return next(call);
    },
  };
  return { binding, calls };
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ProviderError);
    return err as ProviderError;
  }
  throw new Error("expected a rejection");
}

describe("workers-ai provider", () => {
  it("runs the default model in JSON mode with the shared prompt and parses an object response", async () => {
    const ai = fakeAi(() => ({
      response: {
        summary: "Two numeric constants.",
        sections: [
          { title: "const one", line_start: 1, line_end: 1, text: "One." },
          { title: "const two", line_start: 2, line_end: 9, text: "Two." },
        ],
      },
      usage: { prompt_tokens: 200, completion_tokens: 60, total_tokens: 260 },
    }));
    const result = await new WorkersAiProvider({ binding: ai.binding }).document(INPUT);
    expect(result).toEqual({
      summary: "Two numeric constants.",
      sections: [
        { title: "const one", line_start: 1, line_end: 1, text: "One." },
        { title: "const two", line_start: 2, line_end: 2, text: "Two." },
      ],
      provider: "workers-ai",
      model: DEFAULT_WORKERS_AI_MODEL,
    });
    const call = ai.calls[0]!;
    expect(call.model).toBe("@cf/meta/llama-3.3-70b-instruct-fp8-fast");
    expect(call.inputs.response_format).toEqual({ type: "json_schema", json_schema: ANSWER_JSON_SCHEMA });
    expect(call.inputs.max_tokens).toBe(2048);
    const messages = call.inputs.messages as { role: string; content: string }[];
    expect(messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(messages[1]!.content).toContain("Task: document every top-level and exported symbol.");
    expect(messages[1]!.content).toContain("1| export const one = 1;\n2| export const two = 2;");
    expect(call.options?.signal).toBeInstanceOf(AbortSignal);
  });

  it("uses AI_MODEL and accepts a string response, a bare string output and OpenAI-style choices", async () => {
    const json = JSON.stringify({ summary: "S.", sections: [] });
    const ai = fakeAi(
      () => ({ response: json }),
      () => json,
      () => ({ choices: [{ message: { content: json }, finish_reason: "stop" }] }),
      () => ({ response: "Plain prose answer." }),
    );
    const p = new WorkersAiProvider({ binding: ai.binding, model: "@cf/qwen/qwen3-30b-a3b-fp8" });
    for (let i = 0; i < 3; i++)
      await expect(p.document(INPUT)).resolves.toMatchObject({
        summary: "S.",
        model: "@cf/qwen/qwen3-30b-a3b-fp8",
      });
    await expect(p.document(INPUT)).resolves.toMatchObject({ summary: "Plain prose answer.", sections: [] });
    expect(ai.calls.every((c) => c.model === "@cf/qwen/qwen3-30b-a3b-fp8")).toBe(true);
  });

  it("without an AI binding fails with a permanent provider_unavailable", async () => {
    const err = await rejection(new WorkersAiProvider({}).document(INPUT));
    expect(err).toMatchObject({ code: "provider_unavailable", retryable: false });
    expect(err.message).toContain("no AI binding");
  });

  it("classifies binding errors: capacity and rate limits retry, unknown models and bad input do not", async () => {
    const ai = fakeAi(
      () => {
        throw new Error("3040: Capacity temporarily exceeded, please try again.");
      },
      () => ({ response: JSON.stringify({ summary: "Recovered.", sections: [] }) }),
      () => {
        throw new Error("5007: No such model @cf/nope or task");
      },
    );
    const p = new WorkersAiProvider({ binding: ai.binding });
    expect(await rejection(p.document(INPUT))).toMatchObject({
      code: "provider_unavailable",
      retryable: true,
    });
    await expect(p.document(INPUT)).resolves.toMatchObject({ summary: "Recovered." });
    expect(await rejection(p.document(INPUT))).toMatchObject({ code: "provider_rejected", retryable: false });

    expect(
      classifyWorkersAiError(new Error("3036: Account limited: daily free allocation exceeded")),
    ).toMatchObject({
      code: "provider_unavailable",
      retryable: true,
    });
    expect(
      classifyWorkersAiError(new Error("Input is too long for the model's context window")),
    ).toMatchObject({
      code: "input_too_large",
      retryable: false,
    });
    expect(classifyWorkersAiError("something odd")).toMatchObject({
      code: "provider_unavailable",
      retryable: true,
    });
  });

  it("a run that outlives the timeout is retryable provider_timeout, even if the binding ignores the signal", async () => {
    const ai = fakeAi(() => new Promise(() => {}));
    const err = await rejection(
      new WorkersAiProvider({ binding: ai.binding, timeoutMs: 50 }).document(INPUT),
    );
    expect(err).toMatchObject({ code: "provider_timeout", retryable: true });
  });

  it("an output without a response, or with cut-off JSON, is retryable invalid_response", async () => {
    const ai = fakeAi(
      () => ({ usage: {} }),
      () => ({ response: '{"summary": "Two cons', usage: { completion_tokens: 2048 } }),
    );
    const p = new WorkersAiProvider({ binding: ai.binding });
    expect(await rejection(p.document(INPUT))).toMatchObject({ code: "invalid_response", retryable: true });
    const cut = await rejection(p.document(INPUT));
    expect(cut).toMatchObject({ code: "invalid_response", retryable: true });
    expect(cut.message).toContain("token limit");
  });

  it("refuses input over its limit before calling the binding", async () => {
    const ai = fakeAi();
    const err = await rejection(
      new WorkersAiProvider({ binding: ai.binding, maxInputChars: 10 }).document(INPUT),
    );
    expect(err).toMatchObject({ code: "input_too_large", retryable: false });
    expect(ai.calls).toHaveLength(0);
  });
});
