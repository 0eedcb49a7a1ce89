import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LocalDocumenter } from "./local-documenter";
import { OpenAiProvider } from "./openai";
import { createProvider, ProviderError } from "./provider";
import { WorkersAiProvider } from "./workers-ai";

describe("createProvider", () => {
  it("defaults to the local provider (unset, empty, any case)", () => {
    expect(createProvider({})).toBeInstanceOf(LocalDocumenter);
    expect(createProvider({ AI_PROVIDER: "" })).toBeInstanceOf(LocalDocumenter);
    expect(createProvider({ AI_PROVIDER: " Local " }).name).toBe("local");
  });

  it("works with the consumer Worker's real env (wrangler.toml ships AI_PROVIDER=local)", async () => {
    const provider = createProvider(env);
    expect(provider.name).toBe("local");
    await expect(
      provider.document({ type: "summarize_file", path: "a.md", content: "# Hi\n" }),
    ).resolves.toMatchObject({
      provider: "local",
      model: "static-analysis",
    });
  });

  it("throws a clear Error for an unknown provider name", () => {
    expect(() => createProvider({ AI_PROVIDER: "gpt" })).toThrow(
      'Unknown AI_PROVIDER "gpt": expected one of local, workers-ai, openai.',
    );
  });

  it("builds the openai provider only with a base URL and a model, using the injected fetch", async () => {
    expect(() => createProvider({ AI_PROVIDER: "openai", AI_MODEL: "m" })).toThrow(/AI_BASE_URL is empty/);
    expect(() =>
      createProvider({ AI_PROVIDER: "openai", AI_BASE_URL: "https://x/v1", AI_MODEL: " " }),
    ).toThrow(/AI_MODEL is empty/);
    expect(() => createProvider({ AI_PROVIDER: "openai", AI_BASE_URL: "nope", AI_MODEL: "m" })).toThrow(
      /not a valid URL/,
    );

    let seen: string | undefined;
    const fetchStub = (async (input: RequestInfo | URL) => {
      seen = String(input);
      return Response.json({ choices: [{ message: { content: '{"summary": "ok", "sections": []}' } }] });
    }) as typeof fetch;
    const provider = createProvider(
      {
        AI_PROVIDER: "openai",
        AI_BASE_URL: "http://localhost:11434/v1",
        AI_MODEL: "llama3.2",
        AI_API_KEY: "",
      },
      { fetch: fetchStub },
    );
    expect(provider).toBeInstanceOf(OpenAiProvider);
    await expect(provider.document({ type: "summarize_file", path: "a.ts", content: "x" })).resolves.toEqual({
      summary: "ok",
      sections: [],
      provider: "openai",
      model: "llama3.2",
    });
    expect(seen).toBe("http://localhost:11434/v1/chat/completions");
  });

  it("builds workers-ai without a binding; the missing binding fails each job permanently", async () => {
    const provider = createProvider({ AI_PROVIDER: "workers-ai", AI_MODEL: "" });
    expect(provider).toBeInstanceOf(WorkersAiProvider);
    const attempt = provider.document({ type: "summarize_file", path: "a.ts", content: "x" });
    await expect(attempt).rejects.toBeInstanceOf(ProviderError);
    await expect(attempt).rejects.toMatchObject({ code: "provider_unavailable", retryable: false });
  });
});
