import { toHex } from "../hex";
import {
  BundleManifest as BundleManifestSchema,
  PreviewSession as PreviewSessionSchema,
  PreviewStatusResponse as PreviewStatusSchema,
  pageOf,
  ResolvePreviewResponse,
  StartPreviewResponse,
} from "../schemas";
import { Sha256 } from "../sha256";
import type { CallOptions, RequestAuth, Transport } from "../transport";
import type {
  BundleManifest,
  Page,
  PageParams,
  PreviewSessionRecord,
  PreviewStatusResponse,
  ResolvePreviewResult,
  StartPreviewInput,
  StartPreviewResult,
} from "../types";
import { seg } from "../url";
import { decodeUtf8 } from "../utf8";
import { parseResponse, readJson } from "../validate";
import { call, creating } from "./call";

const SessionPage = pageOf(PreviewSessionSchema);

/** The longest `?wait=` the status endpoint honours (spec §5). */
export const MAX_STATUS_WAIT_SECONDS = 25;

/**
 * Options of the calls a preview-scoped token may make (status, bundle, files): `auth` is
 * `{ bearer: "pvt_…" }` for a phone that resolved a code, the signed-in user otherwise.
 */
export type PreviewCallOptions = CallOptions & { auth?: RequestAuth };

/** The answer of one {@link PreviewsApi.pollStatus}: a new status, or "still at `version`". */
export type StatusPoll =
  | { changed: true; status: PreviewStatusResponse; version: number }
  | { changed: false; version: number };

/**
 * The manifest with the SHA-256 of the exact bytes received, and the hash the server announced for
 * them (its etag, which is `bundle.manifest_sha256`; null when it sent no such etag).
 */
export type BundleManifestResult = {
  manifest: BundleManifest;
  sha256: string;
  announced_sha256: string | null;
};

/**
 * A started download of one bundle file. `offset` is where the body's bytes start in the file:
 * the requested offset for a 206, 0 when the server sent the whole file (200). `size` is the whole
 * file's size when the server said it.
 */
export type BundleFileResponse = { response: Response; offset: number; size: number | null };

/**
 * Preview sessions: `client.previews`.
 *
 * @example
 * const started = await client.previews.start({ project_id: projectId, platform: "ios" });
 * const status = await client.previews.status(started.session_id);
 */
export class PreviewsApi {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /**
   * Starts a preview of the latest (or a given) mirror revision (`POST /preview/start` → 202).
   *
   * @example
   * const { session_id, code, qr_svg } = await client.previews.start({ project_id, platform: "android" });
   */
  start(body: StartPreviewInput, options?: CallOptions): Promise<StartPreviewResult> {
    return this.#t.json(
      { method: "POST", path: "/preview/start", json: body, ...creating(options) },
      StartPreviewResponse,
    );
  }

  /**
   * The live status now (`GET /preview/sessions/:id/status`).
   *
   * @example
   * const { status, progress } = await client.previews.status(sessionId);
   */
  status(sessionId: string, options: PreviewCallOptions = {}): Promise<PreviewStatusResponse> {
    return this.#t.json(
      {
        method: "GET",
        path: `/preview/sessions/${seg(sessionId)}/status`,
        auth: options.auth,
        ...call(options),
      },
      PreviewStatusSchema,
    );
  }

  /**
   * One long-poll: asks for news after `sinceVersion` (sent as `If-None-Match: "<version>"`) and
   * lets the server hold the request up to `waitSeconds` (≤ 25) until the version moves. A 304
   * means nothing changed in that time. Without `sinceVersion` it answers at once.
   *
   * @example
   * let version: number | undefined;
   * for (;;) {
   *   const poll = await client.previews.pollStatus(id, { sinceVersion: version, waitSeconds: 25, signal });
   *   if (poll.changed) render(poll.status);
   *   version = poll.version;
   * }
   */
  pollStatus(
    sessionId: string,
    options: PreviewCallOptions & { sinceVersion?: number; waitSeconds?: number } = {},
  ): Promise<StatusPoll> {
    const since = options.sinceVersion;
    const wait =
      since === undefined
        ? undefined
        : Math.max(0, Math.min(MAX_STATUS_WAIT_SECONDS, options.waitSeconds ?? 0));
    return this.#t.request(
      {
        method: "GET",
        path: `/preview/sessions/${seg(sessionId)}/status`,
        query: { wait: wait || undefined },
        headers: since === undefined ? {} : { "if-none-match": `"${since}"` },
        acceptStatus: [304],
        auth: options.auth,
        ...call(options),
      },
      async (res): Promise<StatusPoll> => {
        if (res.status === 304) {
          await res.body?.cancel();
          return { changed: false, version: since ?? 0 };
        }
        const status = await readJson(res, PreviewStatusSchema);
        return { changed: true, status, version: status.version };
      },
    );
  }

  /**
   * The full session record, including who opened it (`GET /preview/sessions/:id`).
   *
   * @example
   * const { opened } = await client.previews.session(sessionId);
   */
  session(sessionId: string, options?: CallOptions): Promise<PreviewSessionRecord> {
    return this.#t.json(
      { method: "GET", path: `/preview/sessions/${seg(sessionId)}`, ...call(options) },
      PreviewSessionSchema,
    );
  }

  /**
   * Your sessions, newest first; `active: true` keeps the live ones (how a linked phone finds a
   * preview without a code).
   *
   * @example
   * const { items } = await client.previews.list({ project_id, active: true });
   */
  list(
    params: PageParams & { project_id?: string; active?: boolean } = {},
    options?: CallOptions,
  ): Promise<Page<PreviewSessionRecord>> {
    return this.#t.json(
      {
        method: "GET",
        path: "/preview/sessions",
        query: {
          project_id: params.project_id,
          active: params.active === undefined ? undefined : String(params.active),
          limit: params.limit,
          cursor: params.cursor,
        },
        ...call(options),
      },
      SessionPage,
    );
  }

  /**
   * Cancels a session (`POST /preview/sessions/:id/cancel`).
   *
   * @example
   * await client.previews.cancel(sessionId);
   */
  cancel(sessionId: string, options?: CallOptions): Promise<PreviewSessionRecord> {
    return this.#t.json(
      { method: "POST", path: `/preview/sessions/${seg(sessionId)}/cancel`, ...call(options) },
      PreviewSessionSchema,
    );
  }

  /**
   * Trades a preview code for a token scoped to that one session (`POST /preview/resolve`, no
   * sign-in). Wrong codes count against the caller's IP; expired ones give 410. With the key of the
   * preview's link (its `hs` parameter, in every QR code) a right code opens even from an address
   * that is out of guesses.
   *
   * @example
   * const { session_id, access_token } = await client.previews.resolve("WDJB-MJHT");
   * await client.previews.resolve({ code: "WDJB-MJHT", key: "q2V0…" }); // from a scanned link
   */
  resolve(
    code: string | { code: string; key?: string },
    options?: CallOptions,
  ): Promise<ResolvePreviewResult> {
    const body = typeof code === "string" ? { code } : code;
    return this.#t.json(
      { method: "POST", path: "/preview/resolve", json: body, auth: "none", ...call(options) },
      ResolvePreviewResponse,
    );
  }

  /**
   * The bundle manifest of a ready session (`GET /preview/bundle/:id`; 409 `PREVIEW_NOT_READY`
   * before that, 410 once over), with the SHA-256 of the bytes as received.
   *
   * @example
   * const { manifest, sha256 } = await client.previews.bundle(sessionId, { auth: { bearer: token } });
   */
  bundle(sessionId: string, options: PreviewCallOptions = {}): Promise<BundleManifestResult> {
    return this.#t.request(
      { method: "GET", path: `/preview/bundle/${seg(sessionId)}`, auth: options.auth, ...call(options) },
      async (res) => {
        const bytes = new Uint8Array(await res.arrayBuffer());
        const sha256 = toHex(new Sha256().update(bytes).digest());
        let data: unknown;
        try {
          data = JSON.parse(decodeUtf8(bytes));
        } catch {
          data = undefined;
        }
        const etag = /^(?:W\/)?"([0-9a-f]{64})"$/.exec(res.headers.get("etag") ?? "");
        return {
          manifest: parseResponse(BundleManifestSchema, data, res),
          sha256,
          announced_sha256: etag ? (etag[1] as string) : null,
        };
      },
    );
  }

  /**
   * Starts downloading one bundle file by hash (`GET /preview/bundle/:id/files/:sha256`). With
   * `offset` > 0 it asks for `Range: bytes=<offset>-`, so a broken transfer resumes where it
   * stopped. The body is yours to read; check the returned `offset` (a server may ignore Range).
   *
   * @example
   * const { response, offset } = await client.previews.bundleFile(sessionId, file.sha256, { offset: 4096 });
   * const rest = new Uint8Array(await response.arrayBuffer()); // the bytes from `offset` on
   */
  bundleFile(
    sessionId: string,
    sha256: string,
    options: PreviewCallOptions & { offset?: number } = {},
  ): Promise<BundleFileResponse> {
    const offset = options.offset ?? 0;
    return this.#t.request(
      {
        method: "GET",
        path: `/preview/bundle/${seg(sessionId)}/files/${seg(sha256)}`,
        headers: offset > 0 ? { range: `bytes=${offset}-`, accept: "*/*" } : { accept: "*/*" },
        auth: options.auth,
        ...call(options),
      },
      async (response) => {
        if (response.status === 206) {
          const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get("content-range") ?? "");
          const start = range ? Number(range[1]) : offset;
          const size = range && range[3] !== "*" ? Number(range[3]) : null;
          return { response, offset: start, size };
        }
        const length = response.headers.get("content-length");
        return { response, offset: 0, size: length === null ? null : Number(length) };
      },
    );
  }
}
