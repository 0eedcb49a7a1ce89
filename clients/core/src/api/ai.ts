import { AiJob as AiJobSchema, CreateAiJobResponse, pageOf } from "../schemas";
import type { CallOptions, Transport } from "../transport";
import type { AiJob, CreateAiJobInput, CreateAiJobResult, Page, PageParams } from "../types";
import { seg } from "../url";
import { call, creating } from "./call";

const AiJobPage = pageOf(AiJobSchema);

/**
 * AI documentation jobs: `client.ai`.
 *
 * @example
 * const { job_id } = await client.ai.create({ project_id, type: "summarize_file", file_path: "App.tsx" });
 * const job = await client.ai.get(job_id);
 */
export class AiApi {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /**
   * Queues a job on a mirrored file (`POST /ai/jobs` → 202, idempotent across retries).
   *
   * @example
   * await client.ai.create({ project_id, type: "explain_selection", file_path: "App.tsx", selection: { start_line: 10, end_line: 40 } });
   */
  create(body: CreateAiJobInput, options?: CallOptions): Promise<CreateAiJobResult> {
    return this.#t.json(
      { method: "POST", path: "/ai/jobs", json: body, ...creating(options) },
      CreateAiJobResponse,
    );
  }

  /**
   * A job, with its result once it has one (`GET /ai/jobs/:id`).
   *
   * @example
   * const { status, result } = await client.ai.get(jobId);
   */
  get(jobId: string, options?: CallOptions): Promise<AiJob> {
    return this.#t.json({ method: "GET", path: `/ai/jobs/${seg(jobId)}`, ...call(options) }, AiJobSchema);
  }

  /**
   * A project's jobs, newest first (`GET /ai/jobs?project_id=`).
   *
   * @example
   * const { items } = await client.ai.list(projectId);
   */
  list(projectId: string, params: PageParams = {}, options?: CallOptions): Promise<Page<AiJob>> {
    return this.#t.json(
      {
        method: "GET",
        path: "/ai/jobs",
        query: { project_id: projectId, limit: params.limit, cursor: params.cursor },
        ...call(options),
      },
      AiJobPage,
    );
  }
}
