import { element } from "./overlay";

/** The connection state the bar shows; the live client (docs/previews.md §6) sets it. */
export type LiveState = "connecting" | "live" | "reconnecting" | "offline" | "updating";

/** What the bar shows. Every field is optional: unset ones keep their value. */
export interface BarInfo {
  project?: string;
  revision?: number | string;
  /** `hivesync://preview?code=…`: opens the preview in the HiveSync app when it is installed. */
  deepLink?: string;
  state?: LiveState;
}

const LABELS: Record<LiveState, string> = {
  connecting: "connecting",
  live: "live",
  reconnecting: "reconnecting",
  offline: "offline",
  updating: "updating",
};

/** The small HiveSync bar under the app: project, revision, live state and "Open in app". */
export class Bar {
  private readonly project = element("span", { class: "hs-project" });
  private readonly revision = element("span", { class: "hs-revision" });
  private readonly status = element("span", { class: "hs-status" });
  private readonly open = element("a", { class: "hs-open" }, "Open in app");
  private info: BarInfo = {};

  constructor(parent: HTMLElement) {
    const bar = element("div", { id: "hs-bar", role: "status", "aria-label": "HiveSync preview" });
    bar.append(element("span", { class: "hs-logo", "aria-hidden": "true" }), this.project, this.revision);
    bar.append(this.status, this.open);
    this.open.hidden = true;
    this.status.hidden = true;
    parent.appendChild(bar);
  }

  /** The bar's current fields. */
  get current(): BarInfo {
    return { ...this.info };
  }

  /** Updates the fields given. */
  set(info: BarInfo): void {
    this.info = {
      ...this.info,
      ...Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)),
    };
    const { project, revision, deepLink, state } = this.info;
    this.project.textContent = project ?? "HiveSync";
    this.revision.textContent =
      revision === undefined
        ? ""
        : typeof revision === "number"
          ? `r${revision}`
          : String(revision).slice(0, 8);
    // No state until a live client reports one: a page without live updates claims nothing.
    this.status.hidden = state === undefined;
    if (state) {
      this.status.dataset.state = state;
      this.status.textContent = LABELS[state];
    }
    if (deepLink) this.open.setAttribute("href", deepLink);
    this.open.hidden = !deepLink;
  }
}
