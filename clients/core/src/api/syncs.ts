import { Sync as SyncSchema } from "../schemas";
import type { CallOptions, Transport } from "../transport";
import type { Sync } from "../types";
import { seg } from "../url";
import { call } from "./call";

/**
 * Repo-sync jobs (the server's check of a committed revision): `client.syncs`.
 *
 * @example
 * const sync = await client.syncs.get(projectId, result.sync_id);
 */
export class SyncsApi {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /**
   * A sync's status (`GET /projects/:id/syncs/:sync_id`): queued, running, succeeded or failed.
   *
   * @example
   * const { status, stats } = await client.syncs.get(projectId, syncId);
   */
  get(projectId: string, syncId: string, options?: CallOptions): Promise<Sync> {
    return this.#t.json(
      { method: "GET", path: `/projects/${seg(projectId)}/syncs/${seg(syncId)}`, ...call(options) },
      SyncSchema,
    );
  }
}
