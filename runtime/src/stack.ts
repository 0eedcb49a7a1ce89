// Maps a browser stack trace onto the app's files. Every module script is one file whose lines are
// the source's lines (docs/previews.md §1), so `/m/<key>.js:LINE:COL` is `<file>:LINE:COL` once the
// key is looked up in the running manifest — no source maps needed.

/** One stack frame, mapped to the app's file when it came from a module script. */
export interface Frame {
  fn?: string;
  /** The app's file (module id) when mapped, else the script URL as the browser gave it. */
  file: string;
  line: number;
  column: number;
  /** True when `file` is one of the app's modules (an `npm:` package counts as not the user's). */
  user: boolean;
}

const CHROME = /^\s*at (?:(.*?) \()?(.*?):(\d+):(\d+)\)?\s*$/;
const GECKO = /^\s*(.*?)@(.*?):(\d+):(\d+)\s*$/;
const MODULE_URL = /\/m\/([0-9a-f]{8,64})\.js(?:[?#].*)?$/;

/** The wrapper a module script opens with, on the source's first line (docs/previews.md §1). */
export function wrapperPrefix(key: string): string {
  return `__hs.f("${key}",function(require,module,exports,__filename,__dirname){`;
}

/** The module key a script URL serves, if it is a module script URL. */
export function keyOfUrl(url: string): string | undefined {
  return MODULE_URL.exec(url)?.[1];
}

/**
 * Parses a V8 (`at fn (url:line:col)`) or Gecko/WebKit (`fn@url:line:col`) stack and maps each
 * frame whose URL is a module script through `idOfKey` (key → module id).
 */
export function mapStack(stack: string, idOfKey: (key: string) => string | undefined): Frame[] {
  const frames: Frame[] = [];
  for (const text of stack.split("\n")) {
    const m = CHROME.exec(text) ?? GECKO.exec(text);
    if (!m) continue;
    frames.push(mapLocation(m[2] ?? "", Number(m[3]), Number(m[4]), idOfKey, m[1] || undefined));
  }
  return frames;
}

/** Maps one `url:line:column` (as an ErrorEvent gives it) like a stack frame. */
export function mapLocation(
  url: string,
  line: number,
  column: number,
  idOfKey: (key: string) => string | undefined,
  fn?: string,
): Frame {
  const key = keyOfUrl(url);
  const id = key === undefined ? undefined : idOfKey(key);
  if (key === undefined || id === undefined) return { fn, file: url, line, column, user: false };
  // Line 1 also holds the wrapper; columns on it are shifted by the wrapper's length.
  const prefix = wrapperPrefix(key).length;
  const col = line === 1 && column > prefix ? column - prefix : column;
  return { fn, file: id, line, column: col, user: !id.startsWith("npm:") };
}

/** The frame to name in a headline: the first in the user's own files, else the first mapped one. */
export function primaryFrame(frames: Frame[]): Frame | undefined {
  return frames.find((f) => f.user) ?? frames.find((f) => f.file.startsWith("npm:"));
}
