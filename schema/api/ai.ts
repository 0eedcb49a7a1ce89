import { z } from "zod";
import { Timestamp } from "./common";
import { JobError } from "./mirror";
import { MirrorPath } from "./paths";

export const AiJobType = z.enum(["summarize_file", "explain_selection", "document_symbols"]);
export const AiJobStatus = z.enum(["queued", "running", "succeeded", "failed"]);

const Line = z.number().int().min(1).max(10_000_000);

export const CreateAiJobRequest = z
  .object({
    project_id: z.string().min(4).max(64),
    type: AiJobType,
    file_path: MirrorPath,
    selection: z
      .object({ start_line: Line, end_line: Line })
      .refine((s) => s.start_line <= s.end_line, {
        message: "start_line must be ≤ end_line",
        path: ["end_line"],
      })
      .optional(),
    post_as_comment: z.boolean().default(false),
  })
  .refine((body) => body.type !== "explain_selection" || body.selection !== undefined, {
    message: "explain_selection needs a selection",
    path: ["selection"],
  })
  .meta({ id: "CreateAiJobRequest" });

export const AiSection = z.object({
  title: z.string(),
  line_start: z.number().int(),
  line_end: z.number().int(),
  text: z.string(),
});

export const AiResult = z
  .object({ summary: z.string(), sections: z.array(AiSection), provider: z.string(), model: z.string() })
  .meta({ id: "AiResult" });
export type AiResult = z.infer<typeof AiResult>;

export const AiJob = z
  .object({
    id: z.string(),
    project_id: z.string(),
    type: AiJobType,
    file_path: z.string(),
    selection: z.object({ start_line: z.number().int(), end_line: z.number().int() }).nullable(),
    post_as_comment: z.boolean(),
    status: AiJobStatus,
    result: AiResult.optional(),
    error: JobError.optional(),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "AiJob" });
export type AiJob = z.infer<typeof AiJob>;

export const CreateAiJobResponse = z
  .object({ job_id: z.string(), status: z.literal("queued") })
  .meta({ id: "CreateAiJobResponse" });
