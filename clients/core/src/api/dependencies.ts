import {
  type Dependency,
  type DependencyItem,
  DependencyList,
  PutDependenciesResponse,
} from "../../../../schema/api/dependencies";
import type { CallOptions, Transport } from "../transport";
import { seg } from "../url";
import { call } from "./call";

export type { Dependency, DependencyItem };

/**
 * A project's pre-bundled third-party modules (docs/previews.md §4), which a preview build links.
 * Each item's bytes are a blob of the project (upload them with `client.blobs` first).
 *
 * @example
 * const deps = new DependenciesApi(client.transport);
 * await deps.replace(projectId, [{ name: "lodash", version: "4.17.21", module_id: "npm:lodash@4.17.21", sha256, size, requires: [] }]);
 * const { items } = await deps.list(projectId);
 */
export class DependenciesApi {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /**
   * The recorded set, sorted by specifier (`GET /projects/:id/dependencies`).
   *
   * @example
   * const { items } = await deps.list(projectId);
   */
  list(projectId: string, options?: CallOptions): Promise<{ items: Dependency[] }> {
    return this.#t.json(
      { method: "GET", path: `/projects/${seg(projectId)}/dependencies`, ...call(options) },
      DependencyList,
    );
  }

  /**
   * Makes `items` the project's whole set (`PUT /projects/:id/dependencies`); `changed` is false
   * when it already was. 422 `BLOB_MISSING` names blobs not uploaded yet.
   *
   * @example
   * const { changed } = await deps.replace(projectId, items);
   */
  replace(
    projectId: string,
    items: readonly DependencyItem[],
    options?: CallOptions,
  ): Promise<{ items: Dependency[]; changed: boolean }> {
    return this.#t.json(
      {
        method: "PUT",
        path: `/projects/${seg(projectId)}/dependencies`,
        json: { items },
        ...call(options),
      },
      PutDependenciesResponse,
    );
  }
}
