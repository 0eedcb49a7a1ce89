// Entry point of the AI documentation providers (spec §6): the contract and the factory that
// picks an implementation from the Worker's vars. The job consumer imports only this module.

import { LocalDocumenter } from "./local-documenter";
import { OpenAiProvider } from "./openai";
import { clip } from "./text";
import type { AiProvider } from "./types";
import { WorkersAiProvider } from "./workers-ai";

export type {
  AiInput,
  AiJobType,
  AiProvider,
  AiResult,
  AiSection,
  AiSelection,
  ProviderErrorCode,
} from "./types";
export { ProviderError } from "./types";

/** The vars and binding of worker-consumers that choose and configure the provider (a subset of its Env). */
export type ProviderEnv = {
  AI_PROVIDER?: string;
  AI_MODEL?: string;
  AI_BASE_URL?: string;
  AI_API_KEY?: string;
  AI?: Ai;
};

/** Injection points for tests and tuning; production passes none. */
export type ProviderDeps = {
  /** Replaces the global fetch for the openai provider (tests, or a fetch with extra tracing). */
  fetch?: typeof fetch;
  /** Per-request timeout of the network providers; 30 s when unset. */
  timeoutMs?: number;
};

/** Accepted values of AI_PROVIDER. */
export const PROVIDER_NAMES = ["local", "workers-ai", "openai"] as const;

/**
 * The provider AI_PROVIDER names (default "local"; case and surrounding spaces ignored). Vars set
 * to "" count as unset, as wrangler.toml ships them empty. Configuration that cannot work — an
 * unknown name, or openai without AI_BASE_URL / AI_MODEL — throws a plain Error here, before any
 * job runs, so the message names the var to fix. A missing AI binding is reported per job
 * instead (see WorkersAiProvider.document).
 */
export function createProvider(env: ProviderEnv, deps: ProviderDeps = {}): AiProvider {
  const raw = env.AI_PROVIDER?.trim() ?? "";
  const name = raw.toLowerCase() || "local";
  const model = env.AI_MODEL?.trim() || undefined;
  const timeout = deps.timeoutMs !== undefined ? { timeoutMs: deps.timeoutMs } : {};
  switch (name) {
    case "local":
      return new LocalDocumenter();
    case "workers-ai":
      return new WorkersAiProvider({
        ...(env.AI ? { binding: env.AI } : {}),
        ...(model ? { model } : {}),
        ...timeout,
      });
    case "openai": {
      const baseUrl = env.AI_BASE_URL?.trim();
      if (!baseUrl)
        throw new Error(
          'AI_PROVIDER is "openai" but AI_BASE_URL is empty: set it to the endpoint\'s base URL, e.g. https://api.openai.com/v1 or http://localhost:11434/v1 for Ollama.',
        );
      if (!model)
        throw new Error(
          'AI_PROVIDER is "openai" but AI_MODEL is empty: set it to a model the endpoint serves.',
        );
      const apiKey = env.AI_API_KEY?.trim();
      return new OpenAiProvider({
        baseUrl,
        model,
        ...(apiKey ? { apiKey } : {}),
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        ...timeout,
      });
    }
    default:
      throw new Error(
        `Unknown AI_PROVIDER "${clip(raw, 40)}": expected one of ${PROVIDER_NAMES.join(", ")}.`,
      );
  }
}
