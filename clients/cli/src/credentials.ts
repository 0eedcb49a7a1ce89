import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { SessionTokens, TokenStore } from "../../core/src/token-store";

type CredentialsFile = { servers: Record<string, SessionTokens> };

/**
 * A token store in `<config dir>/credentials.json` (mode 0600), keyed by API server so signing in
 * to a second server does not sign you out of the first.
 *
 * @example
 * const store = new FileTokenStore(configDir(), "http://localhost:8787");
 * const client = new HiveSyncClient({ baseUrl: "http://localhost:8787", tokenStore: store });
 */
export class FileTokenStore implements TokenStore {
  private readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly server: string,
  ) {
    this.file = path.join(dir, "credentials.json");
  }

  private async read(): Promise<CredentialsFile> {
    try {
      const parsed = JSON.parse(await readFile(this.file, "utf8")) as Partial<CredentialsFile>;
      return { servers: parsed.servers ?? {} };
    } catch {
      return { servers: {} };
    }
  }

  private async write(data: CredentialsFile): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(data, null, 2), { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, this.file);
  }

  async get(): Promise<SessionTokens | null> {
    return (await this.read()).servers[this.server] ?? null;
  }

  async set(tokens: SessionTokens): Promise<void> {
    const data = await this.read();
    data.servers[this.server] = { access_token: tokens.access_token, refresh_token: tokens.refresh_token };
    await this.write(data);
  }

  async clear(): Promise<void> {
    const data = await this.read();
    delete data.servers[this.server];
    if (Object.keys(data.servers).length === 0) await rm(this.file, { force: true });
    else await this.write(data);
  }
}
