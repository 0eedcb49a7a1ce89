import { spawn as nodeSpawn } from "node:child_process";

/** What opens a link in the desktop's browser: `xdg-open`, `open` or `start`, by platform. */
export type BrowserCommand = { command: string; args: string[]; windowsVerbatimArguments?: boolean };

/**
 * The command that opens `url` in the default browser on `platform`: `open` on macOS, `start` (through
 * `cmd`, the URL quoted so `&` stays part of it) on Windows, `xdg-open` elsewhere (Linux, the BSDs).
 *
 * @example
 * browserCommand("http://localhost:8787/p/WDJB-MJHT", "darwin");
 * // → { command: "open", args: ["http://localhost:8787/p/WDJB-MJHT"] }
 */
export function browserCommand(url: string, platform: NodeJS.Platform = process.platform): BrowserCommand {
  if (platform === "darwin") return { command: "open", args: [url] };
  if (platform === "win32")
    return { command: "cmd", args: ["/d", "/s", "/c", `start "" "${url}"`], windowsVerbatimArguments: true };
  return { command: "xdg-open", args: [url] };
}

/**
 * Opens `url` in the desktop's browser ({@link browserCommand}). Resolves once the opener has
 * exited 0 (or is still running after `timeoutMs`: some stay until the browser is closed); rejects
 * when it cannot be started or exits non-zero, with a message that names it.
 *
 * @example
 * await openInBrowser("http://localhost:8787/p/WDJB-MJHT").catch((e) => console.warn(e.message));
 */
export function openInBrowser(
  url: string,
  options: {
    platform?: NodeJS.Platform;
    env?: NodeJS.ProcessEnv;
    timeoutMs?: number;
    spawn?: typeof nodeSpawn;
  } = {},
): Promise<void> {
  const { command, args, windowsVerbatimArguments } = browserCommand(url, options.platform);
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof nodeSpawn>;
    try {
      child = (options.spawn ?? nodeSpawn)(command, args, {
        stdio: "ignore",
        detached: true,
        env: options.env ?? process.env,
        ...(windowsVerbatimArguments ? { windowsVerbatimArguments } : {}),
      });
    } catch (error) {
      reject(new Error(`${command}: ${(error as Error).message}`));
      return;
    }
    const timer = setTimeout(() => {
      child.unref();
      resolve();
    }, options.timeoutMs ?? 5_000);
    child.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new Error(error.code === "ENOENT" ? `${command} is not installed` : `${command}: ${error.message}`),
      );
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} exited with ${code ?? signal}`));
    });
  });
}
