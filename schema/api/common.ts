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

/** C0 controls, DEL and C1 controls: what a terminal may run as a command rather than show. */
const CONTROL = /\p{Cc}/u;
/** The same, but for line breaks and tabs, which free text may hold. */
const CONTROL_IN_TEXT = /[^\P{Cc}\t\n\r]/u;

/**
 * A one-line name a person types (a project's, a device's): trimmed, 1–100 characters, no control
 * characters — other people see it in their terminals (`hivesync open`), where `ESC[…` is a command.
 */
export const DisplayName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((value) => !CONTROL.test(value), "must not contain control characters");

/** Free text (a comment's body): line breaks and tabs, but no other control character. */
export const FreeText = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((value) => !CONTROL_IN_TEXT.test(value), "must not contain control characters");
