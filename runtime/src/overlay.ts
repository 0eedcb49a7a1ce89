import type { Frame } from "./stack";
import type { BuildError } from "./types";

/** One error as the overlay shows it. */
export interface OverlayError {
  /** `file:line:column` in the user's project, when known. */
  where?: string;
  message: string;
  /** A code frame, shown verbatim. */
  frame?: string;
  /** The stack, mapped; the user's own frames are highlighted. */
  frames?: Frame[];
}

/**
 * What the overlay is showing: a failed build, an error thrown by the running app, a download that
 * failed, or an app that ran but has drawn nothing for a while.
 */
export interface OverlayContent {
  kind: "build" | "runtime" | "load" | "blank";
  errors: OverlayError[];
}

/**
 * A failed build as the overlay shows it: each error's `file:line:column`, message and code frame.
 *
 * @example
 * overlay.show(buildFailed([{ file: "App.js", line: 3, column: 7, message: "Unexpected token" }]));
 */
export function buildFailed(errors: readonly BuildError[]): OverlayContent {
  return {
    kind: "build",
    errors: errors.map((e) => ({
      where: `${e.file}:${e.line}:${e.column}`,
      message: e.message,
      frame: e.frame,
    })),
  };
}

const TITLES = {
  build: "Build failed",
  runtime: "Runtime error",
  load: "Could not load the preview",
  blank: "Nothing on screen",
} as const;
const NOTES = {
  build:
    "The last version that built is still running underneath. Fix the file and save: this clears itself.",
  runtime: "Fix the code and save: the preview updates by itself.",
  load: "Check the connection: the next update tries again (or reload the page).",
  blank: "The app is running but has drawn nothing yet. This clears itself when it draws.",
} as const;
const MAX_FRAMES = 12;

/**
 * The error overlay: a panel over the app (which keeps running and stays visible around it) naming
 * file, line, column and message. Built with textContent only, never HTML from the error.
 */
export class Overlay {
  private readonly el: HTMLElement;
  private current: OverlayContent | undefined;

  constructor(parent: HTMLElement) {
    this.el = element("section", { id: "hs-overlay", role: "alert" });
    this.el.hidden = true;
    parent.appendChild(this.el);
  }

  /** What is shown now (undefined when hidden). */
  get content(): OverlayContent | undefined {
    return this.current;
  }

  /** Shows `content`, replacing what was shown. */
  show(content: OverlayContent): void {
    this.current = content;
    const head = element("div", { class: "hs-head" });
    head.append(element("span", { class: "hs-kind" }, TITLES[content.kind]));
    const close = element("button", { class: "hs-close", type: "button", "aria-label": "Dismiss" }, "×");
    close.addEventListener("click", () => this.clear());
    head.append(close);
    const body = content.errors.map((error) => {
      const part = element("div", { class: "hs-error" });
      if (error.where) part.append(element("div", { class: "hs-where" }, error.where));
      part.append(element("div", { class: "hs-message" }, error.message));
      if (error.frame) part.append(element("pre", { class: "hs-frame" }, error.frame));
      if (error.frames?.length) {
        const list = element("ul", { class: "hs-frames" });
        for (const line of frameLines(error.frames).slice(0, MAX_FRAMES)) {
          const item = element("li", {}, line.text);
          if (line.user) item.className = "hs-user";
          list.append(item);
        }
        part.append(list);
      }
      return part;
    });
    this.el.replaceChildren(head, ...body, element("p", { class: "hs-note" }, NOTES[content.kind]));
    this.el.dataset.kind = content.kind;
    this.el.hidden = false;
  }

  /** Hides the overlay. */
  clear(): void {
    this.current = undefined;
    this.el.hidden = true;
    this.el.replaceChildren();
    delete this.el.dataset.kind;
  }
}

/**
 * The stack as lines: the app's own frames (and its packages') as `fn file:line:column`, each run
 * of the runtime's frames (React, react-native-web: minified, not the user's) as one line.
 */
export function frameLines(frames: Frame[]): { text: string; user: boolean }[] {
  const lines: { text: string; user: boolean }[] = [];
  let hidden = 0;
  const flush = () => {
    if (hidden > 0)
      lines.push({ text: `… ${hidden} frame${hidden === 1 ? "" : "s"} in the runtime`, user: false });
    hidden = 0;
  };
  for (const frame of frames) {
    if (!frame.user && !frame.file.startsWith("npm:")) {
      hidden++;
      continue;
    }
    flush();
    lines.push({
      text: `${frame.fn ? `${frame.fn} ` : ""}${frame.file}:${frame.line}:${frame.column}`,
      user: frame.user,
    });
  }
  flush();
  return lines;
}

/** `document.createElement` with attributes and text. */
export function element(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  if (text !== undefined) el.textContent = text;
  return el;
}
