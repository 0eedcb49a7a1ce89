import { type PerServerFile, PrivateJsonFile, readPerServer } from "./private-file";

/** What the CLI remembers of a preview it started: the server keeps codes only as hashes. */
export type RememberedPreview = {
  session_id: string;
  project_id: string;
  platform: string;
  code: string;
  link_url: string;
  deep_link: string;
  expires_at: string;
};

type CodesFile = PerServerFile<Record<string, RememberedPreview>>;

/**
 * The codes and links of the previews this CLI started, in `<config dir>/previews.json` (mode
 * 0600, like the credentials), per server. A later `hivesync preview` can then show the QR code of
 * a live session again instead of starting another one. Expired entries are dropped on write.
 *
 * @example
 * const codes = new PreviewCodes(configDir(), "http://localhost:8787");
 * await codes.remember({ session_id, project_id, platform: "ios", code, link_url, deep_link, expires_at });
 * const known = await codes.get(session_id);
 */
export class PreviewCodes {
  private readonly server: string;
  private readonly file: PrivateJsonFile<CodesFile>;

  // Plain fields, not parameter properties: the CLI runs under Node's type stripping.
  constructor(dir: string, server: string) {
    this.server = server;
    this.file = new PrivateJsonFile(dir, "previews.json");
  }

  private read(): Promise<CodesFile> {
    return readPerServer(this.file);
  }

  private async write(data: CodesFile): Promise<void> {
    const now = Date.now();
    for (const sessions of Object.values(data.servers)) {
      for (const [id, p] of Object.entries(sessions))
        if (Date.parse(p.expires_at) <= now) delete sessions[id];
    }
    await this.file.write(data);
  }

  /**
   * The remembered preview `sessionId` of this server, or null.
   *
   * @example
   * const known = await codes.get("pvs_…"); // { code: "WDJB-MJHT", link_url: "…", … }
   */
  async get(sessionId: string): Promise<RememberedPreview | null> {
    return (await this.read()).servers[this.server]?.[sessionId] ?? null;
  }

  /**
   * Remembers a started preview.
   *
   * @example
   * await codes.remember({ ...started, project_id, platform: "ios" });
   */
  async remember(preview: RememberedPreview): Promise<void> {
    const data = await this.read();
    data.servers[this.server] = { ...data.servers[this.server], [preview.session_id]: preview };
    await this.write(data);
  }

  /**
   * Forgets a preview (cancelled, or gone on the server).
   *
   * @example
   * await codes.forget("pvs_…");
   */
  async forget(sessionId: string): Promise<void> {
    const data = await this.read();
    if (!data.servers[this.server]?.[sessionId]) return;
    delete data.servers[this.server]?.[sessionId];
    await this.write(data);
  }
}
