import { mkdir, open, rm, stat } from "node:fs/promises";
import type { SessionTokens, TokenStore } from "../../core/src/token-store";
import { type PerServerFile, PrivateJsonFile, readPerServer } from "./private-file";

type CredentialsFile = PerServerFile<SessionTokens>;

/**
 * A token store in `<config dir>/credentials.json` (mode 0600), keyed by API server so signing in
 * to a second server does not sign you out of the first.
 *
 * @example
 * const store = new FileTokenStore(configDir(), "http://localhost:8787");
 * const client = new HiveSyncClient({ baseUrl: "http://localhost:8787", tokenStore: store });
 */
export class FileTokenStore implements TokenStore {
  private readonly server: string;
  private readonly file: PrivateJsonFile<CredentialsFile>;

  // Plain fields, not parameter properties: the CLI runs under Node's type stripping.
  constructor(dir: string, server: string) {
    this.server = server;
    this.file = new PrivateJsonFile(dir, "credentials.json");
  }

  private read(): Promise<CredentialsFile> {
    return readPerServer(this.file);
  }

  private write(data: CredentialsFile): Promise<void> {
    return this.file.write(data);
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
    if (Object.keys(data.servers).length === 0) await rm(this.file.path, { force: true });
    else await this.write(data);
  }

  /**
   * Holds `credentials.json.lock` (created exclusively) while `fn` runs, so two `hivesync`
   * processes never refresh with the same token. A lock older than 30 s is a crashed process's.
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(this.file.dir, { recursive: true, mode: 0o700 });
    const lock = `${this.file.path}.lock`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await (await open(lock, "wx", 0o600)).close();
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        const age =
          Date.now() -
          (await stat(lock)
            .then((s) => s.mtimeMs)
            .catch(() => Date.now()));
        if (age > 30_000 || Date.now() > deadline) await rm(lock, { force: true });
        else await new Promise((r) => setTimeout(r, 50));
      }
    }
    try {
      return await fn();
    } finally {
      await rm(lock, { force: true });
    }
  }
}
