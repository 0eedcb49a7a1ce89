import { Project as ProjectSchema, pageOf } from "../schemas";
import type { CallOptions, Transport } from "../transport";
import type { CreateProjectInput, Page, PageParams, Project, UpdateProjectInput } from "../types";
import { seg } from "../url";
import { call, creating } from "./call";

const ProjectPage = pageOf(ProjectSchema);

/**
 * Projects: `client.projects`.
 *
 * @example
 * const project = await client.projects.create({ name: "hello-app", framework: "expo", entry: "App.tsx" });
 */
export class ProjectsApi {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /**
   * Creates a project (`POST /projects`, idempotent across retries).
   *
   * @example
   * const { id } = await client.projects.create({ name: "hello-app" });
   */
  create(body: CreateProjectInput, options?: CallOptions): Promise<Project> {
    return this.#t.json(
      { method: "POST", path: "/projects", json: body, ...creating(options) },
      ProjectSchema,
    );
  }

  /**
   * One page of your projects, newest first (`GET /projects`).
   *
   * @example
   * const { items, next_cursor } = await client.projects.list({ limit: 20 });
   */
  list(params: PageParams = {}, options?: CallOptions): Promise<Page<Project>> {
    return this.#t.json(
      {
        method: "GET",
        path: "/projects",
        query: { limit: params.limit, cursor: params.cursor },
        ...call(options),
      },
      ProjectPage,
    );
  }

  /**
   * One project (`GET /projects/:id`).
   *
   * @example
   * const project = await client.projects.get("prj_…");
   */
  get(projectId: string, options?: CallOptions): Promise<Project> {
    return this.#t.json(
      { method: "GET", path: `/projects/${seg(projectId)}`, ...call(options) },
      ProjectSchema,
    );
  }

  /**
   * Changes name, description, framework or entry (`PATCH /projects/:id`).
   *
   * @example
   * await client.projects.update(id, { entry: "src/App.tsx" });
   */
  update(projectId: string, patch: UpdateProjectInput, options?: CallOptions): Promise<Project> {
    return this.#t.json(
      { method: "PATCH", path: `/projects/${seg(projectId)}`, json: patch, ...call(options) },
      ProjectSchema,
    );
  }

  /**
   * Deletes a project with its mirror, comments and previews (`DELETE /projects/:id` → 204).
   *
   * @example
   * await client.projects.delete(id);
   */
  delete(projectId: string, options?: CallOptions): Promise<void> {
    return this.#t.empty({ method: "DELETE", path: `/projects/${seg(projectId)}`, ...call(options) });
  }
}
