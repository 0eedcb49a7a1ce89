import type { AiJob, AiResult } from "../../../schema/api/ai";
import type { JobError } from "../../../schema/api/mirror";

export type AiJobRow = {
  id: string;
  user_id: string;
  project_id: string;
  type: AiJob["type"];
  file_path: string;
  sha256: string;
  selection_start: number | null;
  selection_end: number | null;
  post_as_comment: number;
  status: AiJob["status"];
  result: string | null;
  error: string | null;
  created_at: string;
  updated_at: string;
};

/** The job's selection, or null when it documents the whole file. */
export function selectionOf(row: AiJobRow): AiJob["selection"] {
  return row.selection_start !== null && row.selection_end !== null
    ? { start_line: row.selection_start, end_line: row.selection_end }
    : null;
}

export function presentAiJob(row: AiJobRow): AiJob {
  return {
    id: row.id,
    project_id: row.project_id,
    type: row.type,
    file_path: row.file_path,
    selection: selectionOf(row),
    post_as_comment: row.post_as_comment === 1,
    status: row.status,
    ...(row.result ? { result: JSON.parse(row.result) as AiResult } : {}),
    ...(row.error ? { error: JSON.parse(row.error) as JobError } : {}),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
