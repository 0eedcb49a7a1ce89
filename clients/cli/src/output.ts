import { isHiveSyncError } from "../../core/src/errors";

/** Where a command writes: humans get text on stdout and progress on stderr; `--json` gets one JSON object. */
export type Output = {
  json: boolean;
  /** A line for humans (suppressed with --json). */
  say(line: string): void;
  /** Progress for humans on stderr, redrawn in place on a terminal (suppressed with --json). */
  progress(line: string): void;
  /** The command's result: the last line of stdout with --json. */
  result(value: unknown, human?: string): void;
};

/**
 * Builds the output for one run.
 *
 * @example
 * const out = createOutput({ json: true, stdout: process.stdout, stderr: process.stderr });
 * out.result({ ok: true }); // prints {"ok":true}
 */
export function createOutput(options: {
  json: boolean;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}): Output {
  const { json, stdout, stderr } = options;
  let progressShown = false;
  let lastPhase = "";
  const clearProgress = () => {
    if (progressShown && stderr.isTTY) stderr.write("\r\x1b[2K");
    progressShown = false;
  };
  return {
    json,
    say(line) {
      if (json) return;
      clearProgress();
      stdout.write(`${line}\n`);
    },
    progress(line) {
      if (json) return;
      if (stderr.isTTY) {
        stderr.write(`\r\x1b[2K${line}`);
        progressShown = true;
        return;
      }
      // Not a terminal (a log, CI): one line per phase instead of one per file.
      const phase = line.split(" ")[0] ?? "";
      if (phase !== lastPhase) stderr.write(`${line}\n`);
      lastPhase = phase;
    },
    result(value, human) {
      clearProgress();
      if (json) stdout.write(`${JSON.stringify(value)}\n`);
      else if (human !== undefined) stdout.write(`${human}\n`);
    },
  };
}

/** An error the CLI itself raises (bad arguments, nothing to do), with a code like the server's. */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/**
 * The one-line reason a command failed: the server's code and request id when it came from the
 * API, so a bug report can quote them.
 *
 * @example
 * describeFailure(err) // → "PREVIEW_EXPIRED: This preview has expired. (request req_01…)"
 */
export function describeFailure(err: unknown): {
  code: string;
  message: string;
  request_id?: string;
  line: string;
} {
  if (isHiveSyncError(err)) {
    const suffix = err.requestId ? ` (request ${err.requestId})` : "";
    return {
      code: err.code,
      message: err.message,
      request_id: err.requestId ?? undefined,
      line: `${err.code}: ${err.message}${suffix}`,
    };
  }
  if (err instanceof CliError)
    return { code: err.code, message: err.message, line: `${err.code}: ${err.message}` };
  const message = err instanceof Error ? err.message : String(err);
  return { code: "INTERNAL_ERROR", message, line: `INTERNAL_ERROR: ${message}` };
}

/** `1536` → `1.5 KB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
