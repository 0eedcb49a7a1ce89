import { z } from "zod";

/** Notification kinds a user can receive (spec §8). */
export const NotificationType = z.enum([
  "preview_started",
  "preview_ready",
  "preview_failed",
  "preview_expired",
  "preview_opened",
  "ai_job_succeeded",
  "ai_job_failed",
  "repo_sync_succeeded",
  "repo_sync_failed",
  "device_linked",
]);
export type NotificationType = z.infer<typeof NotificationType>;

/** Payloads hold IDs and names only — never tokens, codes or file contents. */
export const NotificationPayload = z.record(
  z.string(),
  z.union([z.string(), z.number(), z.boolean(), z.null()]),
);

const id = (prefix: string) => z.string().regex(new RegExp(`^${prefix}_[A-Za-z0-9_-]{16,80}$`));

export const PreviewBuildMessage = z.object({
  kind: z.literal("preview.build"),
  session_id: id("pvs"),
  project_id: id("prj"),
  revision: z.number().int().min(1),
});
export const AiRunMessage = z.object({ kind: z.literal("ai.run"), job_id: id("job") });
export const RepoSyncMessage = z.object({
  kind: z.literal("repo.sync"),
  sync_id: id("syn"),
  project_id: id("prj"),
  revision: z.number().int().min(1),
});
export const NotifyMessage = z.object({
  kind: z.literal("notify"),
  notification_id: id("ntf"),
  user_id: id("usr"),
  type: NotificationType,
  project_id: id("prj").optional(),
  payload: NotificationPayload,
  created_at: z.string(),
});

/** Every message any HiveSync queue carries; messages hold IDs only (≤ 128 KB by construction). */
export const QueueMessage = z.discriminatedUnion("kind", [
  PreviewBuildMessage,
  AiRunMessage,
  RepoSyncMessage,
  NotifyMessage,
]);
export type QueueMessage = z.infer<typeof QueueMessage>;
export type PreviewBuildMessage = z.infer<typeof PreviewBuildMessage>;
export type AiRunMessage = z.infer<typeof AiRunMessage>;
export type RepoSyncMessage = z.infer<typeof RepoSyncMessage>;
export type NotifyMessage = z.infer<typeof NotifyMessage>;

/** The `kind` of every queue message. */
export type QueueMessageKind = QueueMessage["kind"];
/** The message of one kind. */
export type MessageOf<K extends QueueMessageKind> = Extract<QueueMessage, { kind: K }>;
