import { RUNTIME_URL } from "../../../runtime/dist/meta.js";
import { SDK_TABLES, SDK_VERSIONS } from "../../../runtime/dist/sdks.js";
import type { AppBuildError, AppSection, BundleManifest, PreviewError } from "../../../schema/api/previews";
import { readBlob, type StoredPlace } from "../../../schema/blob-location";
import { contentTypeFor } from "../../../schema/content-types";
import type { JobErrorCode } from "../../../schema/job-errors";
import { parseLimits } from "../../../schema/limits";
import type { PreviewBuildMessage } from "../../../schema/queue-messages";
import { r2Keys } from "../../../schema/storage-keys";
import { viewerManifest } from "../../../schema/viewer-manifest";
import { DYNAMIC_CONFIG_FILES, dynamicConfig, staticConfig } from "../build/app-config";
import { ENV_FILES, expoPublicEnv } from "../build/expo-env";
import { buildModuleGraph } from "../build/graph";
import { moduleKey } from "../build/keys";
import { extname } from "../build/paths";
import { packageName } from "../build/resolve";
import { type SdkRuntime, selectSdk } from "../build/sdk";
import { TRANSFORM_VERSION, wrapModule } from "../build/transform";
import type { AppGraph, BuildError, DependencyModule, SourceFile } from "../build/types";
import type { Env } from "../env";
import { faultPlan, maybeStall } from "../fault-injection";
import { log } from "../log";

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Where a page loads an asset's bytes (docs/previews.md §1): the hash of what it holds, like a
 * module URL, and the file's extension (lower case; none when it has none), which alone decides
 * the content type it is served with — never what the bytes were uploaded as.
 */
export const assetUrl = (file: Pick<SourceFile, "path" | "sha256">) => {
  const ext = extname(file.path);
  return `/m/blob/${file.sha256}${/^[a-z0-9]{1,16}$/.test(ext) ? `.${ext}` : ""}`;
};

/**
 * preview-tasks: builds one revision of a session. It resolves the revision's files, checks limits
 * and the entry file, builds the app's module graph (worker-consumers/src/build: every module the
 * entry reaches, transformed once per content and stored create-only at R2 `modules/<key>.js`,
 * assets copied to `modules/blob/<sha256>`), writes the revision's manifest create-only to
 * `p/<project>/bundles/<session>/<revision>.json` — its file list (devices fetch files by hash)
 * and its `app` (what the page runs) — and reports `ready` with its summary.
 *
 * The same message builds a ready session's newer revision when a commit lands (an update): the
 * previous manifest's modules are reused, the session keeps serving the old revision until this
 * report swaps it, and a build error is reported for that revision (the session records it and
 * stays on its last good revision). A first build that does not compile fails the session with
 * the error's file, line and column; a revision with no app entry at all is still `ready` (its
 * files serve devices) and its `app` carries the error the page shows.
 */
export async function handlePreviewBuild(message: PreviewBuildMessage, env: Env): Promise<void> {
  const task = await env.API.startPreviewBuild(message.session_id, message.revision);
  if (!task) return; // built already, superseded, cancelled or expired: a late or duplicate delivery
  const { revision } = task;
  const first = !task.update;
  // Development only (crash tests): an update that began, then hangs as if its process died.
  if (!first) await maybeStall(faultPlan(env)?.stall_update ?? 0);
  const fail = (error: PreviewError) =>
    env.API.reportPreviewResult(task.session_id, { status: "failed", error, revision });
  const failWith = (code: JobErrorCode, text: string) => fail({ code, message: text });
  const stage = (name: string, progress: number) =>
    first ? env.API.reportPreviewStage(task.session_id, name, progress) : Promise.resolve();

  const files = await env.API.getMirrorFiles(task.project.id, revision);
  if (files.length === 0) return void (await failWith("mirror_empty", "The revision has no files."));
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
  // A bundle is one revision: the same MAX_PROJECT_FILES / MAX_PROJECT_BYTES worker-api enforces.
  const limits = parseLimits(env);
  if (files.length > limits.maxProjectFiles || totalBytes > limits.maxProjectBytes) {
    return void (await failWith(
      "limit_exceeded",
      `${files.length} files / ${totalBytes} bytes is over the bundle limit.`,
    ));
  }
  if (task.project.entry && !files.some((f) => f.path === task.project.entry)) {
    return void (await fail({
      code: "entry_missing",
      message: `The entry file ${task.project.entry} is not in revision ${revision}.`,
      file: task.project.entry,
    }));
  }

  await stage("building_modules", 0.3);
  const started = Date.now();
  const built = await buildApp(env, task, files);
  if ("error" in built) return void (await fail(built.error));
  log("info", "preview modules built", {
    session_id: task.session_id,
    revision,
    update: !first,
    ms: Date.now() - started,
    ...built.counts,
  });

  await stage("writing_manifest", 0.6);
  const manifest: BundleManifest = {
    session_id: task.session_id,
    project: task.project,
    platform: task.platform,
    revision,
    created_at: new Date().toISOString(),
    // Where each file's bytes are travels with it (a packed blob's pack and offset), so serving a
    // file to a device needs no D1 query (bundle-handlers.ts `bundleFile`).
    files: files
      .map((f) => ({
        path: f.path,
        sha256: f.sha256,
        size: f.size,
        content_type: contentTypeFor(f.path),
        ...(f.pack ? { pack: f.pack, pack_offset: f.packOffset ?? 0 } : {}),
      }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    total_bytes: totalBytes,
    app: built.app,
  };
  const key = r2Keys.bundle(task.project.id, task.session_id, revision);
  const bytes = await writeOnce(env, key, JSON.stringify(manifest));
  // What a viewer (a preview token from the code) gets: the same manifest listing only the files
  // the app uses (schema/viewer-manifest.ts), made from the one stored — a redelivery's earlier one.
  const viewerKey = r2Keys.viewerBundle(task.project.id, task.session_id, revision);
  const stored = JSON.parse(new TextDecoder().decode(bytes)) as BundleManifest;
  const forViewers = viewerManifest(stored);
  const viewerBytes = await writeOnce(env, viewerKey, JSON.stringify(forViewers));
  const { applied } = await env.API.reportPreviewResult(task.session_id, {
    status: "ready",
    revision,
    bundle: {
      file_count: stored.files.length,
      total_bytes: stored.total_bytes,
      manifest_sha256: await sha256Hex(bytes),
      viewer: {
        file_count: forViewers.files.length,
        total_bytes: forViewers.total_bytes,
        manifest_sha256: await sha256Hex(viewerBytes),
      },
    },
  });
  // Refused because the session ended meanwhile (expired or cancelled while building): a manifest
  // written after its expiry clean-up would be orphaned, so remove it. A duplicate "ready" keeps it,
  // and so does a superseded update of a live session (its manifests go when the session ends).
  if (!applied && first && (await env.API.previewStatus(task.session_id)) !== "ready")
    await env.BLOBS.delete([key, viewerKey]);
}

/**
 * Writes a manifest create-only and returns the bytes stored: these, or — a redelivery after an
 * earlier attempt wrote it — that attempt's, byte for byte.
 */
async function writeOnce(env: Env, key: string, json: string): Promise<Uint8Array> {
  const bytes = new TextEncoder().encode(json);
  const written = await env.BLOBS.put(key, bytes, {
    onlyIf: { etagDoesNotMatch: "*" },
    httpMetadata: { contentType: "application/json" },
  });
  if (written) return bytes;
  const existing = await env.BLOBS.get(key);
  if (!existing) throw new Error("manifest vanished between create-only put and read");
  return new Uint8Array(await existing.arrayBuffer());
}

type Task = NonNullable<Awaited<ReturnType<Env["API"]["startPreviewBuild"]>>>;
/** A file of the revision with where its content is (schema/blob-location.ts). */
type StoredFile = Awaited<ReturnType<Env["API"]["getMirrorFiles"]>>[number];

/** The manifest's `app`, or the error that fails this build. */
async function buildApp(
  env: Env,
  task: Task,
  files: readonly StoredFile[],
): Promise<
  | { app: AppSection; counts: { transformed: number; reused: number; stored: number } }
  | { error: PreviewError }
> {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const read = async (path: string) => {
    const file = byPath.get(path);
    if (!file) throw new Error(`read of ${path}, which is not in revision ${task.revision}`);
    const object = await readBlob(env.BLOBS, { projectId: task.project.id, ...file });
    // The mirror only commits blobs that are stored (repo-sync checks them too): a missing one is a
    // storage fault worth a retry, not a build error.
    if (!object) throw new Error(`blob of ${path} is missing from storage`);
    return object;
  };
  const assets = new Map<string, StoredFile>();
  // The Expo SDK the app runs on decides what every bare specifier means.
  const packageJson = byPath.has("package.json") ? await (await read("package.json")).text() : null;
  const selected = selectSdk(packageJson, SDK_TABLES, SDK_VERSIONS);
  if ("error" in selected) return { error: { code: selected.error.code, ...appError(selected.error) } };
  const { sdk } = selected;
  const appJson = byPath.has("app.json") ? await (await read("app.json")).text() : null;
  const publicEnv = expoPublicEnv(
    await Promise.all(ENV_FILES.map(async (path) => (byPath.has(path) ? (await read(path)).text() : null))),
  );
  const config = await appConfig(appJson, publicEnv, async (path) =>
    byPath.has(path) ? (await read(path)).text() : null,
  );
  const linked = await linkDependencies(env, task.project.id, sdk);
  const result = await buildModuleGraph({
    files,
    readText: async (path) => (await read(path)).text(),
    readBytes: async (path) => new Uint8Array(await (await read(path)).arrayBuffer()),
    previous: await previousApp(env, task),
    runtime: sdk,
    routePattern: sdk.table.routePattern,
    appJson,
    dependencies: linked.modules,
    entry: task.project.entry,
    transformVersion: TRANSFORM_VERSION,
    storeModule: async (key, code) => {
      await env.BLOBS.put(r2Keys.module(key), code, {
        onlyIf: { etagDoesNotMatch: "*" },
        httpMetadata: { contentType: "application/javascript; charset=utf-8" },
      });
    },
    hasModule: async (key) => (await env.BLOBS.head(r2Keys.module(key))) !== null,
    assetUrl: (file) => {
      assets.set(file.sha256, byPath.get(file.path) ?? { ...file, pack: null, packOffset: null });
      return assetUrl(file);
    },
  });
  if ("error" in result) {
    // Not an app at all (nothing to start from and no entry set): the files still serve devices,
    // and the page says why there is nothing to run.
    if (result.error.code === "entry_missing" && !task.project.entry) {
      return {
        app: { runtime: RUNTIME_URL, errors: result.errors.map(appError) },
        counts: { transformed: 0, reused: 0, stored: 0 },
      };
    }
    const all = result.errors.map(appError);
    return {
      error: {
        code: result.error.code,
        ...appError(result.error),
        ...(all.length > 1 ? { errors: all } : {}),
      },
    };
  }
  const favicon = faviconFile(config, byPath);
  if (favicon) assets.set(favicon.sha256, favicon);
  const reached = Object.keys(result.app.modules).filter((id) => id.startsWith("npm:"));
  for (const id of reached) {
    const unresolved = linked.unresolved.get(id);
    if (unresolved) return { error: unresolved };
  }
  await Promise.all([
    copyAssets(env, task.project.id, [...assets.values()]),
    storeDependencies(
      env,
      task.project.id,
      reached.map((id) => linked.byId.get(id)).filter((d) => !!d),
    ),
  ]);
  const { app, ...counts } = result;
  return {
    app: {
      runtime: RUNTIME_URL,
      sdk: sdk.section(runtimeIds(app)),
      ...(config ? { config } : {}),
      ...(Object.keys(publicEnv).length > 0 ? { env: publicEnv } : {}),
      ...(favicon ? { favicon: assetUrl(favicon) } : {}),
      ...app,
    },
    counts,
  };
}

/**
 * The app's Expo config, what babel-preset-expo inlines as `process.env.APP_MANIFEST` for
 * expo-constants (`Constants.expoConfig` on the web): app.json's, as the first dynamic config file
 * (`app.config.ts`, `.js`, …) makes it, where the build can read that without running it.
 */
async function appConfig(
  appJson: string | null,
  env: Record<string, string>,
  readIfPresent: (path: string) => Promise<string | null>,
): Promise<AppSection["config"]> {
  const base = appJson === null ? undefined : staticConfig(appJson);
  for (const path of DYNAMIC_CONFIG_FILES) {
    const text = await readIfPresent(path);
    if (text !== null) return dynamicConfig(text, path, base, env) as AppSection["config"];
  }
  return base as AppSection["config"];
}

/** The file the config's `web.favicon` names (`./assets/favicon.png`), when the revision has it. */
function faviconFile(config: AppSection["config"], byPath: Map<string, StoredFile>): StoredFile | undefined {
  const web = config?.web as { favicon?: unknown } | undefined;
  if (typeof web?.favicon !== "string") return undefined;
  return byPath.get(web.favicon.replace(/^(\.\/)+/, ""));
}

/** The SDK modules an app's graph requires (`runtime:<id>`) or runs itself (`sdk:<id>`). */
function runtimeIds(app: AppGraph): Set<string> {
  const ids = new Set<string>();
  for (const [id, module] of Object.entries(app.modules)) {
    if (id.startsWith("sdk:")) ids.add(id.slice("sdk:".length));
    for (const target of Object.values(module.deps))
      if (target.startsWith("runtime:")) ids.add(target.slice("runtime:".length));
  }
  return ids;
}

/** A linked dependency, with its blob and where that is (schema/blob-location.ts). */
type LinkedDependency = DependencyModule & {
  sha256: string;
  blob: StoredPlace & { sha256: string; size: number };
};

/**
 * The project's pre-bundled dependencies (docs/previews.md §4) as the graph links them: each keyed
 * like any module (`npm` + its blob's hash, so the key and wrapper are the build's, never the
 * uploader's), its `requires` resolved as a bare require is (the SDK's modules, then the set's
 * own specifiers). A require neither provides fails the build only if the app reaches that module.
 */
async function linkDependencies(env: Env, projectId: string, sdk: SdkRuntime) {
  const recorded = await env.API.getDependencies(projectId);
  const bySpecifier = new Map(recorded.map((d) => [d.specifier, d]));
  const modules = new Map<string, LinkedDependency>();
  const byId = new Map<string, LinkedDependency>();
  const unresolved = new Map<string, PreviewError>();
  for (const dependency of recorded) {
    const deps: Record<string, string> = {};
    for (const spec of dependency.requires) {
      const runtimeId = sdk.resolve(spec);
      if (runtimeId !== undefined) deps[spec] = `runtime:${runtimeId}`;
      else if (bySpecifier.has(spec)) deps[spec] = (bySpecifier.get(spec) as { id: string }).id;
      else if (!unresolved.has(dependency.id)) {
        unresolved.set(dependency.id, {
          code: "module_not_found",
          file: dependency.id,
          line: 1,
          column: 1,
          message: `Unable to resolve "${spec}" from ${dependency.id}: the package "${packageName(spec)}" is neither in the preview runtime nor an uploaded dependency of the project.`,
        });
      }
    }
    const linkedModule: LinkedDependency = {
      id: dependency.id,
      key: await moduleKey(TRANSFORM_VERSION, "npm", dependency.sha256),
      deps,
      sha256: dependency.sha256,
      blob: {
        sha256: dependency.sha256,
        size: dependency.size,
        pack: dependency.pack,
        packOffset: dependency.packOffset,
      },
    };
    modules.set(dependency.specifier, linkedModule);
    byId.set(dependency.id, linkedModule);
  }
  return { modules, byId, unresolved };
}

/** Stores the scripts of the dependency modules the app reaches, once per key (create-only). */
async function storeDependencies(env: Env, projectId: string, reached: readonly LinkedDependency[]) {
  await Promise.all(
    reached.map(async (dependency) => {
      const key = r2Keys.module(dependency.key);
      if (await env.BLOBS.head(key)) return;
      const body = await readBlob(env.BLOBS, { projectId, ...dependency.blob });
      if (!body) throw new Error(`blob of ${dependency.id} is missing from storage`);
      await env.BLOBS.put(key, wrapModule(dependency.key, await body.text()), {
        onlyIf: { etagDoesNotMatch: "*" },
        httpMetadata: { contentType: "application/javascript; charset=utf-8" },
      });
    }),
  );
}

/** A graph error as the manifest and the status carry it: always a place (1-based), as editors count. */
function appError(error: BuildError): AppBuildError {
  return {
    code: error.code,
    file: error.file,
    line: error.line ?? 1,
    column: error.column ?? 1,
    message: error.message,
    ...(error.frame ? { frame: error.frame } : {}),
  };
}

/** The module graph of the revision the session serves now, so an update reuses its modules. */
async function previousApp(env: Env, task: Task): Promise<AppGraph | null> {
  if (!task.previous_revision) return null;
  const object = await env.BLOBS.get(r2Keys.bundle(task.project.id, task.session_id, task.previous_revision));
  if (!object) return null;
  const app = ((await object.json()) as BundleManifest).app;
  return app?.entry && app.modules ? { entry: app.entry, modules: app.modules } : null;
}

/**
 * Copies the assets the app requires to `modules/blob/<sha256>`, where `/m/blob/<sha256>.<ext>`
 * serves them: content-addressed like module scripts, so each is copied once whatever requires it
 * (the content type comes from the URL's extension, not from the metadata stored here).
 */
async function copyAssets(env: Env, projectId: string, assets: readonly StoredFile[]): Promise<void> {
  await Promise.all(
    assets.map(async (file) => {
      const key = r2Keys.moduleBlob(file.sha256);
      if (await env.BLOBS.head(key)) return;
      const source = await readBlob(env.BLOBS, { projectId, ...file });
      if (!source) throw new Error(`blob of ${file.path} is missing from storage`);
      await env.BLOBS.put(key, await source.arrayBuffer(), {
        onlyIf: { etagDoesNotMatch: "*" },
        sha256: file.sha256,
        httpMetadata: { contentType: contentTypeFor(file.path) },
      });
    }),
  );
}
