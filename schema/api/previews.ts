import { z } from "zod";
import { Timestamp } from "./common";
import { JobError, Sha256 } from "./mirror";

export const Platform = z.enum(["ios", "android", "web"]);
export const PreviewStatus = z.enum(["pending", "building", "ready", "failed", "cancelled", "expired"]);
export type PreviewStatus = z.infer<typeof PreviewStatus>;
export const TERMINAL_PREVIEW_STATUSES = ["failed", "cancelled", "expired"] as const;

export const StartPreviewRequest = z
  .object({
    project_id: z.string().min(4).max(64),
    platform: Platform,
    revision: z.number().int().min(1).optional(),
  })
  .meta({ id: "StartPreviewRequest" });

export const StartPreviewResponse = z
  .object({
    session_id: z.string(),
    status: z.literal("pending"),
    code: z.string().meta({ example: "WDJB-MJHT" }),
    link_url: z.string(),
    deep_link: z.string(),
    qr_svg: z.string(),
    expires_at: Timestamp,
    status_url: z.string(),
  })
  .meta({ id: "StartPreviewResponse" });

export const BundleSummary = z.object({
  file_count: z.number().int(),
  total_bytes: z.number().int(),
  manifest_sha256: Sha256,
});
export type BundleSummary = z.infer<typeof BundleSummary>;

export const PreviewStatusResponse = z
  .object({
    session_id: z.string(),
    status: PreviewStatus,
    stage: z.string().nullable(),
    progress: z.number().min(0).max(1),
    version: z.number().int(),
    error: JobError.optional(),
    bundle: BundleSummary.optional(),
    expires_at: Timestamp,
  })
  .meta({ id: "PreviewStatus" });
export type PreviewStatusResponse = z.infer<typeof PreviewStatusResponse>;

export const OpenedRecord = z.object({
  device_id: z.string().nullable(),
  platform: z.string(),
  at: Timestamp,
});

export const PreviewSession = z
  .object({
    id: z.string(),
    project_id: z.string(),
    platform: Platform,
    revision: z.number().int(),
    status: PreviewStatus,
    stage: z.string().nullable(),
    progress: z.number(),
    version: z.number().int(),
    error: JobError.optional(),
    bundle: BundleSummary.optional(),
    opened: z.array(OpenedRecord),
    created_at: Timestamp,
    expires_at: Timestamp,
  })
  .meta({ id: "PreviewSession" });
export type PreviewSession = z.infer<typeof PreviewSession>;

export const ResolvePreviewRequest = z
  .object({ code: z.string().min(1).max(32) })
  .meta({ id: "ResolvePreviewRequest" });

export const ResolvePreviewResponse = z
  .object({
    session_id: z.string(),
    access_token: z.string(),
    token_type: z.literal("Bearer"),
    expires_at: Timestamp,
    status: PreviewStatus,
    platform: Platform,
    project: z.object({ name: z.string() }),
  })
  .meta({ id: "ResolvePreviewResponse" });

export const ManifestFile = z.object({
  path: z.string(),
  sha256: Sha256,
  size: z.number().int(),
  content_type: z.string(),
});

export const BundleManifest = z
  .object({
    session_id: z.string(),
    project: z.object({
      id: z.string(),
      name: z.string(),
      framework: z.string(),
      entry: z.string().nullable(),
    }),
    platform: Platform,
    revision: z.number().int(),
    created_at: Timestamp,
    files: z.array(ManifestFile),
    total_bytes: z.number().int(),
  })
  .meta({ id: "BundleManifest" });
export type BundleManifest = z.infer<typeof BundleManifest>;
