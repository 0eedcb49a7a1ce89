import { z } from "zod";
import { ERROR_CODES } from "../errors";

function errorEnvelope<Code extends z.ZodType<string>>(code: Code) {
  return z.object({
    error: z.object({
      code,
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
      request_id: z.string(),
    }),
  });
}

/** The error envelope every non-2xx response carries (spec §2); `code` is one of the error table's. */
export const ErrorResponse = errorEnvelope(z.enum(ERROR_CODES).meta({ example: "VALIDATION_FAILED" })).meta({
  id: "Error",
});

/**
 * The same envelope with any string as `code`: what clients parse, so a client built today still
 * understands an error code a newer server adds.
 */
export const ErrorEnvelope = errorEnvelope(z.string());

/** `?limit=&cursor=` of every list (spec §2): limit 1–100, default 50; cursor opaque. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(512).optional(),
});

export const Timestamp = z
  .string()
  .meta({ description: "ISO-8601 UTC", example: "2026-11-22T10:00:00.000Z" });

/** Wraps an item schema in the list envelope `{items, next_cursor}`. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() });
}

export function idParam(prefix: string) {
  return z
    .string()
    .min(4)
    .max(64)
    .regex(/^[a-z]{3}_[A-Za-z0-9_-]+$/, "not a valid id")
    .meta({ example: `${prefix}_01JD3Y8Q5W3T0ZK8M2V7B6N4XA` });
}

/** `If-None-Match` of the routes that answer 304 for an unchanged resource. */
export const ConditionalHeaders = z.object({
  "if-none-match": z
    .string()
    .max(200)
    .optional()
    .meta({ description: "The etag you have; an unchanged resource answers 304 with no body." }),
});

/** `Range` of the routes that serve file bytes, so a broken download resumes. */
export const RangeHeaders = z.object({
  range: z
    .string()
    .max(200)
    .optional()
    .meta({ description: "`bytes=<start>-<end>`, `bytes=<start>-` or `bytes=-<suffix>`: answers 206." }),
});
