// The shell's end of the shell ↔ frame channel (../frame-messages.ts): the iframe on the session's
// preview origin, the manifests sent to it, and what it reports back.
import { type AppliedResult, CHANNEL, type FrameMessage, readFrameMessage } from "../frame-messages";
import type { Manifest } from "../types";

/** How long the frame may take to start before the shell says it cannot reach it. */
export const FRAME_START_MS = 20_000;

type Events = {
  /** Everything the frame reports besides `applied` (and a `ready` after a reload of the frame). */
  onMessage: (message: FrameMessage) => void;
};

/**
 * The app's frame. Messages count only from this iframe's window at exactly `origin`; the app
 * cannot reach the shell's DOM, and nothing it posts can do more than the few reports listed.
 */
export class AppFrame {
  readonly element: HTMLIFrameElement;
  private readonly origin: string;
  private ready = false;
  private readonly waiting: Array<() => void> = [];
  private readonly pending = new Map<number, (result: AppliedResult) => void>();
  private nextId = 1;
  /** The newest manifest sent: a frame that reloads itself gets it again. */
  private current: Manifest | undefined;

  /**
   * `element` is the page's iframe (the server writes it, with its sandbox and permissions, so the
   * frame starts loading before this script runs).
   */
  constructor(element: HTMLIFrameElement, events: Events) {
    this.element = element;
    this.origin = new URL(element.src).origin;
    window.addEventListener("message", (event) => {
      if (event.source !== this.element.contentWindow || event.origin !== this.origin) return;
      const message = readFrameMessage(event.data);
      if (!message) return;
      if (message.type === "applied") {
        this.pending.get(message.id)?.(message.result);
        this.pending.delete(message.id);
        return;
      }
      if (message.type === "ready") {
        const reloaded = this.ready;
        this.ready = true;
        for (const resolve of this.waiting.splice(0)) resolve();
        // The frame reloaded itself (a new runtime or SDK, or the app asked): it starts empty.
        if (reloaded && this.current) this.send(this.current);
      }
      events.onMessage(message);
    });
    // The frame may have started (and said `ready`) before this listener existed: ask again.
    this.element.contentWindow?.postMessage({ channel: CHANNEL, type: "hello" }, this.origin);
  }

  /** Resolves once the frame's runtime listens; rejects after `timeoutMs`. */
  started(timeoutMs = FRAME_START_MS): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`The app's frame did not start: ${this.origin} could not be reached`)),
        timeoutMs,
      );
      this.waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Runs `manifest` in the frame (the first loads the app, later ones update it in place). */
  async apply(manifest: Manifest): Promise<AppliedResult> {
    await this.started();
    this.current = manifest;
    return this.send(manifest);
  }

  private send(manifest: Manifest): Promise<AppliedResult> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.element.contentWindow?.postMessage({ channel: CHANNEL, type: "apply", id, manifest }, this.origin);
    });
  }
}
