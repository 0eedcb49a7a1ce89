// The frame's end of the shell ↔ frame channel (frame-messages.ts): the app runs here, on its
// preview origin; manifests come only from the shell on the API's origin, checked by window and
// exact origin, and what the app does is reported back.
import { CHANNEL, type FrameMessage, readShellMessage } from "./frame-messages";
import type { createPage } from "./page";

type Page = ReturnType<typeof createPage>;
type Outgoing = FrameMessage extends infer M ? (M extends unknown ? Omit<M, "channel"> : never) : never;

/**
 * Connects the page to its shell. `shellOrigins` are the origins allowed to embed this frame (its
 * CSP's frame-ancestors says the same); the first of them to speak is the shell from then on.
 * Returns `post`, for what the page reports.
 */
export function linkToShell(
  page: Page,
  shellOrigins: readonly string[],
): { post: (message: Outgoing) => void } {
  let shell: string | undefined;
  const post = (message: Outgoing) => {
    const data = { channel: CHANNEL, ...message };
    // Until the shell has spoken, offered to each allowed origin: the browser delivers it only to
    // the one the parent really has, so nothing reaches a page that framed us otherwise.
    for (const origin of shell ? [shell] : shellOrigins) window.parent.postMessage(data, origin);
  };

  if (window.parent === window) {
    void page.failLoad(
      new Error("This is the inside of a HiveSync preview: open the preview's own link (/p/<code>) instead."),
    );
    return { post: () => undefined };
  }

  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || !shellOrigins.includes(event.origin)) return;
    const message = readShellMessage(event.data);
    if (!message) return;
    shell = event.origin;
    if (message.type === "hello") return post({ type: "ready" });
    void page.load(message.manifest).then(
      (result) => post({ type: "applied", id: message.id, result }),
      (error: unknown) => {
        void page.failLoad(error);
        post({
          type: "applied",
          id: message.id,
          result: { ok: false, failed: "load", fetched: [], ran: [], ms: 0 },
        });
      },
    );
  });

  // The app's own navigation (Expo Router, react-navigation's linking): the shell keeps its URL in
  // step, so a reload opens the same screen.
  const report = () => post({ type: "location", path: location.pathname + location.search + location.hash });
  for (const method of ["pushState", "replaceState"] as const) {
    const original = history[method].bind(history);
    history[method] = (...args: Parameters<History["pushState"]>) => {
      original(...args);
      report();
    };
  }
  window.addEventListener("popstate", report);
  window.addEventListener("hashchange", report);

  post({ type: "ready" });
  return { post };
}
