// Request and response types of the API, inferred from the server's own zod schemas so the two
// can never drift apart. Inputs use `z.input` (defaults optional), responses `z.output`.
import type { z } from "zod";
import type * as S from "../../../schema/api";

export type ErrorCode = S.ErrorCode;
export type User = z.output<typeof S.User>;
export type Tokens = z.output<typeof S.Tokens>;
export type AuthResponse = z.output<typeof S.AuthResponse>;
export type RegisterInput = z.input<typeof S.RegisterRequest>;
export type LoginInput = z.input<typeof S.LoginRequest>;

export type Project = z.output<typeof S.Project>;
export type CreateProjectInput = z.input<typeof S.CreateProjectRequest>;
export type UpdateProjectInput = z.input<typeof S.UpdateProjectRequest>;
export type Framework = z.output<typeof S.Framework>;

export type Comment = z.output<typeof S.Comment>;
export type CreateCommentInput = z.input<typeof S.CreateCommentRequest>;

export type BlobUploaded = z.output<typeof S.BlobUploaded>;
export type BlobBatchResult = z.output<typeof S.BlobBatchResult>;
export type BlobBatchStatus = z.output<typeof S.BlobBatchStatus>;
export type MirrorChange = z.input<typeof S.MirrorChange>;
export type CommitChangesInput = z.input<typeof S.CommitChangesRequest>;
export type CommitChangesResult = z.output<typeof S.CommitChangesResponse>;
export type MirrorSummary = z.output<typeof S.MirrorSummary>;
export type MirrorFile = z.output<typeof S.MirrorFile>;
export type Sync = z.output<typeof S.Sync>;

export type Platform = z.output<typeof S.Platform>;
export type PreviewStatus = z.output<typeof S.PreviewStatus>;
export type StartPreviewInput = z.input<typeof S.StartPreviewRequest>;
export type StartPreviewResult = z.output<typeof S.StartPreviewResponse>;
export type PreviewStatusResponse = z.output<typeof S.PreviewStatusResponse>;
/** A newer revision that did not build while the session keeps serving its last good one. */
export type PreviewUpdateError = z.output<typeof S.PreviewUpdateError>;
export type PreviewSessionRecord = z.output<typeof S.PreviewSession>;
export type ResolvePreviewResult = z.output<typeof S.ResolvePreviewResponse>;
export type BundleManifest = z.output<typeof S.BundleManifest>;
export type ManifestFile = z.output<typeof S.ManifestFile>;

export type DevicePlatform = z.output<typeof S.DevicePlatform>;
export type Device = z.output<typeof S.Device>;
export type LinkCode = z.output<typeof S.LinkCodeResponse>;
export type ClaimLinkResult = z.output<typeof S.ClaimLinkResponse>;

export type Notification = z.output<typeof S.Notification>;
export type NotificationPage = z.output<typeof S.NotificationPage>;

export type AiJob = z.output<typeof S.AiJob>;
export type CreateAiJobInput = z.input<typeof S.CreateAiJobRequest>;
export type CreateAiJobResult = z.output<typeof S.CreateAiJobResponse>;

/** One page of a list endpoint (`{items, next_cursor}`; `next_cursor` is null on the last page). */
export type Page<T> = { items: T[]; next_cursor: string | null };
/** `?limit=&cursor=` of every list. */
export type PageParams = { limit?: number; cursor?: string };
