import { createInterface } from "node:readline/promises";
import { HiveSyncClient, type RetryOptions } from "../../core/src";
import { configDir } from "./config-dir";
import { FileTokenStore } from "./credentials";
import { openInBrowser } from "./open-url";
import { CliError, type Output } from "./output";

export const DEFAULT_API = "http://localhost:8787";

/**
 * The longest `Retry-After` the CLI waits out by itself. A longer one (a rate limit, the preview
 * cap) fails at once with the wait in the message, instead of a silent hang.
 */
export const MAX_RETRY_AFTER_MS = 5_000;

/** Everything a command needs: the client, where to write, and how to ask for missing input. */
export type CommandContext = {
  client: HiveSyncClient;
  api: string;
  out: Output;
  cwd: string;
  configDir: string;
  env: NodeJS.ProcessEnv;
  /** Asks on the terminal, or fails with MISSING_ARGUMENT when there is none (scripts, CI). */
  ask(question: string, options?: { flag: string; secret?: boolean }): Promise<string>;
  /** Aborted on Ctrl-C, so long waits stop cleanly. */
  signal: AbortSignal;
  /** Width of the terminal (80 when not a terminal), to wrap long text. */
  columns: number;
  /** How long `preview` waits to see whether a live session follows its project (default 5 s). */
  followGraceMs?: number;
  /** Opens a link in the desktop's browser (`preview --open`); rejects when it cannot. */
  openUrl: (url: string) => Promise<void>;
};

/**
 * Builds the context of one run: the API from `--api`, else `HIVESYNC_API`, else localhost; the
 * credentials of that server from the config directory.
 *
 * @example
 * const ctx = createContext({ api: undefined, out, env: process.env, cwd: process.cwd(), signal });
 */
export function createContext(options: {
  api?: string;
  out: Output;
  env: NodeJS.ProcessEnv;
  cwd: string;
  signal: AbortSignal;
  stdin?: NodeJS.ReadStream;
  fetch?: typeof fetch;
  columns?: number;
  /** Overrides of the retry policy (tests make waits instant). */
  retry?: Partial<RetryOptions>;
  followGraceMs?: number;
  /** Instead of the platform's opener (tests). */
  openUrl?: (url: string) => Promise<void>;
}): CommandContext {
  const api = (options.api ?? options.env.HIVESYNC_API ?? DEFAULT_API).replace(/\/+$/, "");
  const dir = configDir(options.env);
  const stdin = options.stdin ?? process.stdin;
  const client = new HiveSyncClient({
    baseUrl: api,
    tokenStore: new FileTokenStore(dir, api),
    retry: { maxRetryAfterMs: MAX_RETRY_AFTER_MS, ...options.retry },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return {
    client,
    api,
    out: options.out,
    cwd: options.cwd,
    configDir: dir,
    env: options.env,
    signal: options.signal,
    columns: options.columns ?? 80,
    ...(options.followGraceMs === undefined ? {} : { followGraceMs: options.followGraceMs }),
    openUrl: options.openUrl ?? ((url) => openInBrowser(url, { env: options.env })),
    async ask(question, askOptions) {
      if (!stdin.isTTY) {
        throw new CliError(
          "MISSING_ARGUMENT",
          `${question.replace(/:\s*$/, "")} is needed: pass ${askOptions?.flag ?? "it as a flag"}.`,
        );
      }
      const rl = createInterface({ input: stdin, output: process.stderr, terminal: true });
      try {
        if (askOptions?.secret) {
          // Echo nothing while a password is typed.
          const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput;
          (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
            if (s.includes(question)) write.call(rl, s);
          };
        }
        const answer = await rl.question(question);
        if (askOptions?.secret) process.stderr.write("\n");
        return answer.trim();
      } finally {
        rl.close();
      }
    },
  };
}
