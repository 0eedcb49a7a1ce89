import { z } from "zod";
import {
  CommitChangesResponse,
  MirrorFile as MirrorFileSchema,
  MirrorSummary as SummarySchema,
} from "../schemas";
import type { CallOptions, Transport } from "../transport";
import type { CommitChangesInput, CommitChangesResult, MirrorFile, MirrorSummary } from "../types";
import { seg } from "../url";
import { call, creating } from "./call";

const MirrorFilesPage = z.object({
  revision: z.number().int(),
  items: z.array(MirrorFileSchema),
  next_cursor: z.string().nullable(),
});

/** One page of `GET /projects/:id/mirror/files`: the files at `revision`, sorted by path. */
export type MirrorFilesPage = z.output<typeof MirrorFilesPage>;

/** The raw bytes of one mirrored file. */
export type MirrorFileContent = { bytes: Uint8Array; sha256: string | null; content_type: string | null };

/**
 * The server-side copy of a project's files: `client.mirror`.
 *
 * @example
 * const { revision } = await client.mirror.summary(projectId);
 * await client.mirror.commit(projectId, { base_revision: revision, changes: [{ op: "delete", path: "old.ts" }] });
 */
export class MirrorApi {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /**
   * Commits one change set against `base_revision` (`POST /projects/:id/mirror/changes` → 202).
   * A stale base gives 409 `REVISION_CONFLICT` with `details.current_revision`.
   *
   * @example
   * const { revision, sync_id } = await client.mirror.commit(projectId, {
   *   base_revision: 3,
   *   changes: [{ op: "put", path: "App.tsx", sha256, size }],
   * });
   */
  commit(projectId: string, body: CommitChangesInput, options?: CallOptions): Promise<CommitChangesResult> {
    return this.#t.json(
      {
        method: "POST",
        path: `/projects/${seg(projectId)}/mirror/changes`,
        json: body,
        ...creating(options),
      },
      CommitChangesResponse,
    );
  }

  /**
   * Current revision and totals (`GET /projects/:id/mirror`).
   *
   * @example
   * const { revision, file_count } = await client.mirror.summary(projectId);
   */
  summary(projectId: string, options?: CallOptions): Promise<MirrorSummary> {
    return this.#t.json(
      { method: "GET", path: `/projects/${seg(projectId)}/mirror`, ...call(options) },
      SummarySchema,
    );
  }

  /**
   * One page of mirrored files (`GET /projects/:id/mirror/files`). Pass the first page's
   * `revision` when reading the next pages so they all describe the same revision.
   *
   * @example
   * const page = await client.mirror.files(projectId, { prefix: "src/", limit: 1000 });
   */
  files(
    projectId: string,
    params: { prefix?: string; revision?: number; limit?: number; cursor?: string } = {},
    options?: CallOptions,
  ): Promise<MirrorFilesPage> {
    return this.#t.json(
      {
        method: "GET",
        path: `/projects/${seg(projectId)}/mirror/files`,
        query: {
          prefix: params.prefix,
          revision: params.revision,
          limit: params.limit,
          cursor: params.cursor,
        },
        ...call(options),
      },
      MirrorFilesPage,
    );
  }

  /**
   * Every mirrored file of one revision (all pages), with that revision.
   *
   * @example
   * const { revision, files } = await client.mirror.allFiles(projectId);
   */
  async allFiles(
    projectId: string,
    params: { prefix?: string; revision?: number } = {},
    options?: CallOptions,
  ): Promise<{ revision: number; files: MirrorFile[] }> {
    const first = await this.files(projectId, { ...params, limit: 1000 }, options);
    const files = [...first.items];
    let cursor = first.next_cursor;
    while (cursor) {
      const page = await this.files(
        projectId,
        { prefix: params.prefix, revision: first.revision, limit: 1000, cursor },
        options,
      );
      files.push(...page.items);
      cursor = page.next_cursor;
    }
    return { revision: first.revision, files };
  }

  /**
   * One file's bytes (`GET /projects/:id/mirror/file?path=`); `sha256` comes from the etag.
   *
   * @example
   * const { bytes } = await client.mirror.file(projectId, "App.tsx");
   * console.log(new TextDecoder().decode(bytes));
   */
  file(projectId: string, path: string, options?: CallOptions): Promise<MirrorFileContent> {
    return this.#t.request(
      {
        method: "GET",
        path: `/projects/${seg(projectId)}/mirror/file`,
        query: { path },
        headers: { accept: "*/*" },
        ...call(options),
      },
      async (res) => ({
        bytes: new Uint8Array(await res.arrayBuffer()),
        sha256: res.headers.get("etag")?.replace(/^(W\/)?"|"$/g, "") ?? null,
        content_type: res.headers.get("content-type"),
      }),
    );
  }
}
