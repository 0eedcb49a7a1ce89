import { z } from "zod";
import { FreeText, Timestamp } from "./common";
import { MirrorPath } from "./paths";

const Body = FreeText(10_000);
const Line = z.number().int().min(1).max(10_000_000);

export const CreateCommentRequest = z
  .object({ file_path: MirrorPath, line_start: Line, line_end: Line, body: Body })
  .refine((c) => c.line_start <= c.line_end, {
    message: "line_start must be ≤ line_end",
    path: ["line_end"],
  })
  .meta({ id: "CreateCommentRequest" });

export const UpdateCommentRequest = z.object({ body: Body }).meta({ id: "UpdateCommentRequest" });

export const Comment = z
  .object({
    id: z.string(),
    project_id: z.string(),
    file_path: z.string(),
    line_start: z.number().int(),
    line_end: z.number().int(),
    body: z.string(),
    author: z.object({ type: z.enum(["user", "ai"]), id: z.string().nullable() }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .meta({ id: "Comment" });

export type Comment = z.infer<typeof Comment>;
