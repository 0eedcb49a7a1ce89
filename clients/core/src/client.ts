import { AiApi } from "./api/ai";
import { AuthApi } from "./api/auth";
import { BlobsApi } from "./api/blobs";
import { CommentsApi } from "./api/comments";
import { DependenciesApi } from "./api/dependencies";
import { DevicesApi } from "./api/devices";
import { MirrorApi } from "./api/mirror";
import { NotificationsApi } from "./api/notifications";
import { PreviewsApi } from "./api/previews";
import { ProjectsApi } from "./api/projects";
import { SyncsApi } from "./api/syncs";
import type { ClientEvents } from "./events";
import { Health } from "./schemas";
import type { TokenStore } from "./token-store";
import { type CallOptions, Transport, type TransportOptions } from "./transport";

/** How to build a {@link HiveSyncClient}: the server, and optionally `fetch`, token store and retry policy. */
export type HiveSyncClientOptions = TransportOptions;

/**
 * The typed HiveSync API client. Plain `fetch`, no Node-only APIs: it runs in Node ≥ 20,
 * browsers, Electron and React Native. Methods are grouped by area (`client.projects.create`,
 * `client.previews.start`, …); every response is validated with the server's zod schemas, every
 * failure is a {@link HiveSyncError}.
 *
 * @example
 * const client = new HiveSyncClient({ baseUrl: "http://localhost:8787" });
 * client.on("session-expired", () => showSignIn());
 * await client.auth.login({ login: "ada", password: "correct horse battery" });
 * const project = await client.projects.create({ name: "hello-app", framework: "expo" });
 * const { items } = await client.dependencies.list(project.id); // its pre-bundled packages
 */
export class HiveSyncClient {
  /** The HTTP layer (for calls the typed API does not cover). */
  readonly transport: Transport;
  readonly auth: AuthApi;
  readonly projects: ProjectsApi;
  readonly comments: CommentsApi;
  readonly blobs: BlobsApi;
  /**
   * The project's pre-bundled third-party modules (docs/previews.md §4), which its previews link.
   *
   * @example
   * const { items } = await client.dependencies.list(projectId);
   */
  readonly dependencies: DependenciesApi;
  readonly mirror: MirrorApi;
  readonly syncs: SyncsApi;
  readonly previews: PreviewsApi;
  readonly devices: DevicesApi;
  readonly notifications: NotificationsApi;
  readonly ai: AiApi;

  constructor(options: HiveSyncClientOptions) {
    this.transport = new Transport(options);
    this.auth = new AuthApi(this.transport);
    this.projects = new ProjectsApi(this.transport);
    this.comments = new CommentsApi(this.transport);
    this.blobs = new BlobsApi(this.transport);
    this.dependencies = new DependenciesApi(this.transport);
    this.mirror = new MirrorApi(this.transport);
    this.syncs = new SyncsApi(this.transport);
    this.previews = new PreviewsApi(this.transport);
    this.devices = new DevicesApi(this.transport);
    this.notifications = new NotificationsApi(this.transport);
    this.ai = new AiApi(this.transport);
  }

  /** The server origin, e.g. `http://localhost:8787`. */
  get baseUrl(): string {
    return this.transport.origin;
  }

  /** Where the tokens live. */
  get tokenStore(): TokenStore {
    return this.transport.tokenStore;
  }

  /**
   * Listens to client events; returns the function that stops listening.
   *
   * @example
   * const off = client.on("session-expired", ({ error }) => showSignIn(error.message));
   */
  on<K extends keyof ClientEvents>(event: K, listener: (payload: ClientEvents[K]) => void): () => void {
    return this.transport.events.on(event, listener);
  }

  /**
   * `GET /health`: whether the server is up, and its version.
   *
   * @example
   * const { version } = await client.health();
   */
  health(options: CallOptions = {}): Promise<{ status: "ok"; version: string }> {
    return this.transport.json(
      {
        method: "GET",
        path: "/health",
        root: true,
        auth: "none",
        signal: options.signal,
        retry: options.retry,
      },
      Health,
    );
  }
}
