import { Comment as CommentSchema, pageOf } from "../schemas";
import type { CallOptions, Transport } from "../transport";
import type { Comment, CreateCommentInput, Page, PageParams } from "../types";
import { seg } from "../url";
import { call, creating } from "./call";

const CommentPage = pageOf(CommentSchema);

/**
 * Comment threads on a file and line range: `client.comments`.
 *
 * @example
 * await client.comments.create(projectId, { file_path: "App.tsx", line_start: 3, line_end: 5, body: "why?" });
 */
export class CommentsApi {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /**
   * Adds a comment (`POST /projects/:id/comments`, idempotent across retries).
   *
   * @example
   * const c = await client.comments.create(projectId, { file_path: "App.tsx", line_start: 1, line_end: 1, body: "hi" });
   */
  create(projectId: string, body: CreateCommentInput, options?: CallOptions): Promise<Comment> {
    return this.#t.json(
      { method: "POST", path: `/projects/${seg(projectId)}/comments`, json: body, ...creating(options) },
      CommentSchema,
    );
  }

  /**
   * A page of a project's comments, oldest first, optionally for one file.
   *
   * @example
   * const { items } = await client.comments.list(projectId, { file_path: "App.tsx" });
   */
  list(
    projectId: string,
    params: PageParams & { file_path?: string } = {},
    options?: CallOptions,
  ): Promise<Page<Comment>> {
    return this.#t.json(
      {
        method: "GET",
        path: `/projects/${seg(projectId)}/comments`,
        query: { file_path: params.file_path, limit: params.limit, cursor: params.cursor },
        ...call(options),
      },
      CommentPage,
    );
  }

  /**
   * Edits your comment (`PATCH /comments/:id`).
   *
   * @example
   * await client.comments.update(commentId, "clearer wording");
   */
  update(commentId: string, body: string, options?: CallOptions): Promise<Comment> {
    return this.#t.json(
      { method: "PATCH", path: `/comments/${seg(commentId)}`, json: { body }, ...call(options) },
      CommentSchema,
    );
  }

  /**
   * Deletes your comment (or an AI comment on your project).
   *
   * @example
   * await client.comments.delete(commentId);
   */
  delete(commentId: string, options?: CallOptions): Promise<void> {
    return this.#t.empty({ method: "DELETE", path: `/comments/${seg(commentId)}`, ...call(options) });
  }
}
