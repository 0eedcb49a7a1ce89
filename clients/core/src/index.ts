// @hivesync client core: the typed API client and the pieces every HiveSync client shares.
export { abortError, sleep, throwIfAborted } from "./abort";
export { AiApi } from "./api/ai";
export { AuthApi } from "./api/auth";
export { type BatchBlob, BlobsApi, DEFAULT_BATCH_LIMITS, MAX_HASHES_PER_MISSING_CALL } from "./api/blobs";
export { CommentsApi } from "./api/comments";
export { DependenciesApi, type Dependency, type DependencyItem } from "./api/dependencies";
export { DevicesApi } from "./api/devices";
export { MirrorApi, type MirrorFileContent, type MirrorFilesPage } from "./api/mirror";
export { type Conditional, type NotificationQuery, NotificationsApi } from "./api/notifications";
export {
  type BundleFileResponse,
  type BundleManifestResult,
  MAX_STATUS_WAIT_SECONDS,
  type PreviewCallOptions,
  PreviewsApi,
  type StatusPoll,
} from "./api/previews";
export { ProjectsApi } from "./api/projects";
export { SyncsApi } from "./api/syncs";
export { AuthSession } from "./auth-session";
export { HiveSyncClient, type HiveSyncClientOptions } from "./client";
export { mapWithConcurrency } from "./concurrency";
export { HiveSyncError, type HiveSyncErrorInit, isHiveSyncError } from "./errors";
export { EtagPoller, type EtagPollerOptions } from "./etag-poller";
export { type ClientEvents, Emitter, type SessionExpiredEvent } from "./events";
export { toHex } from "./hex";
export { newIdempotencyKey } from "./idempotency";
export { waitForAiJob, waitForSync } from "./jobs-wait";
export {
  listNotifications,
  markAllRead,
  markRead,
  NotificationPoller,
  type NotificationPollerOptions,
} from "./notifications";
export { collectAll, paginate } from "./paginate";
export { type PollUntilOptions, pollUntil } from "./poll-until";
export {
  LIVE_PROTOCOL,
  type LiveSocket,
  type LiveSocketFactory,
  type PreviewLiveEvent,
  type WatchPreviewEventsOptions,
  watchPreviewEvents,
} from "./preview-live";
export { isTerminalPreviewStatus, type WatchPreviewStatusOptions, watchPreviewStatus } from "./preview-watch";
export { type Progress, progressCounter } from "./progress";
export {
  backoffDelayMs,
  DEFAULT_RETRY,
  isRetryableError,
  type RetryEvent,
  type RetryOptions,
  retryDelayMs,
  withRetry,
} from "./retry";
export { parseRetryAfter } from "./retry-after";
export { formatCode, mirrorPathProblem, normalizeCode } from "./schemas";
export { Sha256, sha256Hex, sha256OfStream } from "./sha256";
export { MemoryTokenStore, type SessionTokens, type TokenStore } from "./token-store";
export {
  type CallOptions,
  type FetchLike,
  type RequestAuth,
  type RequestSpec,
  Transport,
  type TransportOptions,
} from "./transport";
export type * from "./types";
export { API_PREFIX, apiRoots, buildUrl } from "./url";
export { decodeUtf8 } from "./utf8";
