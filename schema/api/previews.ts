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

/** A manifest's size and hash: what a client checks the manifest it downloads against. */
export const ManifestSummary = z.object({
  file_count: z.number().int(),
  total_bytes: z.number().int(),
  manifest_sha256: Sha256,
});
export type ManifestSummary = z.infer<typeof ManifestSummary>;

/**
 * The bundle of a ready session. Its owner gets the manifest of every file of the revision; a
 * viewer (a preview token from a code) gets one listing only the files the app's graph uses
 * (docs/previews.md §1): to a viewer, the status summarises that one and has no `viewer`.
 */
export const BundleSummary = ManifestSummary.extend({
  viewer: ManifestSummary.optional().meta({
    description:
      "The manifest a viewer (preview token) gets: only the files the app uses. Absent for a bundle built before viewers got their own.",
  }),
});
export type BundleSummary = z.infer<typeof BundleSummary>;

/** Where a build failed: 1-based line and column in `file`, as editors count (docs/previews.md §5). */
export const BuildErrorLocation = z.object({
  file: z.string(),
  line: z.number().int().min(1),
  column: z.number().int().min(1),
});

/** A build error as the page shows it: where, what, and an optional code frame. */
export const AppBuildError = BuildErrorLocation.extend({
  code: JobError.shape.code.optional(),
  message: z.string(),
  frame: z.string().optional(),
});
export type AppBuildError = z.infer<typeof AppBuildError>;

/**
 * Why a preview failed: the job error, and for a build that did not compile (`build_error`,
 * `module_not_found`, `entry_missing`) where.
 */
export const PreviewError = JobError.extend({
  file: z.string().optional(),
  line: z.number().int().min(1).optional(),
  column: z.number().int().min(1).optional(),
  frame: z.string().optional(),
  errors: z
    .array(AppBuildError)
    .optional()
    .meta({ description: "Every error the build found (the first is the headline), at most 20." }),
}).meta({ id: "PreviewError" });
export type PreviewError = z.infer<typeof PreviewError>;

/**
 * A live update that did not build: the session keeps serving `revision` (the last good one) and
 * the page shows this over it, until a later revision builds.
 */
export const PreviewUpdateError = AppBuildError.extend({
  revision: z.number().int(),
  code: JobError.shape.code,
  errors: z
    .array(AppBuildError)
    .optional()
    .meta({ description: "Every error the build found (the first is the headline), at most 20." }),
}).meta({ id: "PreviewUpdateError" });
export type PreviewUpdateError = z.infer<typeof PreviewUpdateError>;

export const PreviewStatusResponse = z
  .object({
    session_id: z.string(),
    status: PreviewStatus,
    stage: z.string().nullable().meta({
      description:
        "Refines building (resolving_files, writing_manifest…); `updating` while a ready session builds a newer revision.",
    }),
    progress: z.number().min(0).max(1),
    version: z.number().int(),
    revision: z.number().int().optional().meta({
      description:
        "The mirror revision the session serves (before ready: the one it builds first). A session follows its project: each accepted commit rebuilds it, and this moves once the new revision is built.",
    }),
    building_revision: z
      .number()
      .int()
      .nullable()
      .optional()
      .meta({ description: "The newer revision being built while the session keeps serving `revision`." }),
    error: PreviewError.optional(),
    build_error: PreviewUpdateError.optional().meta({
      description: "The newest revision failed to build; `revision` (the last good one) keeps running.",
    }),
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
    building_revision: z.number().int().nullable().optional(),
    error: PreviewError.optional(),
    build_error: PreviewUpdateError.optional(),
    bundle: BundleSummary.optional(),
    opened: z
      .array(OpenedRecord)
      .meta({ description: "The newest 20 opens (devices and viewers), oldest first." }),
    opens: z.number().int().nonnegative().meta({ description: "How many times it was opened in all." }),
    created_at: Timestamp,
    expires_at: Timestamp,
  })
  .meta({ id: "PreviewSession" });
export type PreviewSession = z.infer<typeof PreviewSession>;

export const ResolvePreviewRequest = z
  .object({
    code: z.string().min(1).max(32),
    key: z
      .string()
      .regex(/^[A-Za-z0-9_-]{22}$/)
      .optional()
      .meta({
        description:
          "The key in the preview link's `hs` parameter (a scanned QR code has it): with it, a right code opens even from an address that is out of code guesses.",
      }),
  })
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
  // Where the server keeps the bytes, so serving a file needs no lookup; a client fetches a file by
  // its hash (`/preview/bundle/:id/files/:sha256`) and can ignore both.
  pack: z
    .string()
    .optional()
    .meta({ description: "Server storage detail: the upload pack holding the file (absent: stored alone)." }),
  pack_offset: z
    .number()
    .int()
    .optional()
    .meta({ description: "Server storage detail: where in `pack` the file's bytes start." }),
});

/** One module of the app's graph (docs/previews.md §5): its immutable script and where each require goes. */
export const AppModule = z.object({
  key: z.string(),
  url: z.string(),
  deps: z.record(z.string(), z.string()),
});

/** The Expo SDK an app runs on (docs/previews.md §3): the chunks its graph needs, and React's module ids. */
export const AppSdk = z.object({
  version: z.string().meta({ description: 'The Expo SDK\'s major version, e.g. "58".' }),
  chunks: z
    .array(z.string())
    .meta({ description: "Every runtime chunk (/runtime/c/<hash>.js) the app's graph needs." }),
  react: z.string(),
  reactNative: z.string(),
  appRegistries: z
    .array(z.string())
    .meta({ description: "AppRegistry modules the page hooks besides react-native's." }),
});

/**
 * What the page runs: the runtime set's script and the module graph from the entry, or (a revision
 * that is not a runnable app: no entry found) the errors that say why.
 */
export const AppSection = z
  .object({
    runtime: z.string(),
    sdk: AppSdk.optional(),
    config: z
      .record(z.string(), z.any())
      .optional()
      .meta({ description: "The app's Expo config (app.json `expo`): what `Constants.expoConfig` reads." }),
    env: z.record(z.string(), z.string()).optional().meta({
      description: "The app's `EXPO_PUBLIC_*` variables from its .env files: `process.env` on the page.",
    }),
    favicon: z.string().optional().meta({ description: "Where the config's `web.favicon` file is served." }),
    entry: z.string().optional(),
    modules: z.record(z.string(), AppModule).optional(),
    errors: z.array(AppBuildError).optional(),
  })
  .meta({ id: "AppSection" });
export type AppSection = z.infer<typeof AppSection>;

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
    app: AppSection.optional(),
  })
  .meta({ id: "BundleManifest" });
export type BundleManifest = z.infer<typeof BundleManifest>;
