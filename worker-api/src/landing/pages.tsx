import type { Context } from "hono";
import { html as htmlTemplate } from "hono/html";
import type { FC, PropsWithChildren } from "hono/jsx";
import { formatCode, normalizeCode } from "../../../schema/api/codes";
import { SHELL_SCRIPT, SHELL_URL } from "../app-runtime/runtime-script";
import { getConfig } from "../config";
import { database } from "../db";
import { findLinkCode } from "../devices/device-store";
import type { AppEnv } from "../env";
import { ApiError } from "../lib/api-error";
import { guessOf, hashCode } from "../lib/codes";
import { base64url } from "../lib/encoding";
import { isPreviewLinkKey, issueViewerToken, LINK_KEY_PARAM } from "../lib/viewer-tokens";
import { effectiveStatus, isTerminal } from "../preview/session-rules";
import type { PreviewState } from "../preview/session-state";
import { findSessionByCode, isCodeOfDeletedSession } from "../preview/session-store";
import { previewStub } from "../preview/stub";
import { previewOrigin } from "../preview-origin/origins";
import { shellPolicy } from "../preview-origin/policies";
import { takeGeneral } from "../rate-limit/general";
import { clientIp, codeGuesses, enforceRateLimit, rateLimited } from "../rate-limit/limits";

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f8fa;color:#1b1f24}
main{max-width:420px;margin:0 auto;padding:2.5rem 1.25rem;text-align:center}
h1{font-size:1.4rem;margin:.5rem 0} .muted{color:#59636e} .card{background:#fff;border:1px solid #d1d9e0;border-radius:12px;padding:1.5rem}
.button{display:inline-block;margin-top:1.25rem;padding:.8rem 1.4rem;border-radius:8px;background:#1f6feb;color:#fff;text-decoration:none;font-weight:600}
.status{font-weight:600} code{font:600 1.1rem ui-monospace,monospace;letter-spacing:.08em}
pre.frame{text-align:left;overflow-x:auto;background:#fff;border:1px solid #d1d9e0;border-radius:8px;padding:.75rem;font:13px/1.4 ui-monospace,monospace}`;

const Page: FC<PropsWithChildren<{ title: string; nonce: string; script?: string }>> = ({
  title,
  nonce,
  script,
  children,
}) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="robots" content="noindex" />
      <title>{title} — HiveSync</title>
      <style>{STYLE}</style>
    </head>
    <body>
      <main>
        <div class="card">
          <p class="muted">HiveSync</p>
          {children}
        </div>
      </main>
      {script ? (
        // biome-ignore lint/security/noDangerouslySetInnerHtml: our own script template; the only value in it is a normalised code (20 capital letters and a hyphen), and the nonce CSP runs nothing else.
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: script }} />
      ) : null}
    </body>
  </html>
);

function html(
  c: Context<AppEnv>,
  status: 200 | 404 | 410 | 429,
  nonce: string,
  body: ReturnType<typeof Page>,
) {
  c.header(
    "content-security-policy",
    `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  );
  c.header("cache-control", "no-store");
  return c.html(body as string | Promise<string>, status);
}

/**
 * Looks a code from a URL up without consuming it. Unknown codes count as failed guesses for the
 * caller's IP exactly like the API's code routes, so the pages are no way around the limit; a right
 * code costs nothing. A code that `wasReal` (a preview deleted with its project) is no guess: `ended`.
 * A found code that `opensWithKey` (a preview link with its right key) needs no guess at all, so a
 * room out of guesses still opens a QR code's link.
 */
async function lookup<T>(
  c: Context<AppEnv>,
  raw: string,
  find: (codeHash: string) => Promise<T | undefined>,
  wasReal: (codeHash: string) => Promise<boolean> = async () => false,
  opensWithKey?: (found: T) => Promise<boolean>,
) {
  const config = getConfig(c.env);
  const key = `codes:ip:${clientIp(c.req.raw.headers)}`;
  const letters = normalizeCode(raw);
  const codeHash = letters ? await hashCode(letters) : null;
  if (opensWithKey && codeHash) {
    const found = await find(codeHash);
    if (found && (await opensWithKey(found))) return { letters, found, ended: false };
  }
  await codeGuesses.assertOpen(c.env, key, config.codeFailures);
  const found = codeHash ? await find(codeHash) : null;
  const ended = !found && codeHash !== null && (await wasReal(codeHash));
  if (!found && !ended) await codeGuesses.wrong(c.env, key, config.codeFailures, guessOf(codeHash, raw));
  return { letters, found, ended };
}

/** Whether the page's URL carries the right link key of the preview found. */
const keyOfLink = (c: Context<AppEnv>) => async (found: { id: string }) => {
  const key = c.req.query(LINK_KEY_PARAM);
  return !!key && (await isPreviewLinkKey(getConfig(c.env).jwtSecret, found.id, key));
};

/**
 * The waiting page's script: long-polls the session's status with the page's preview token (from
 * the #status element's data attributes: no value is pasted into the script) and loads the app in
 * place of this page as soon as the session is ready.
 */
const WAIT_SCRIPT = `
const el = document.getElementById("status");
const { session, token } = el.dataset;
const labels = { pending: "Waiting to build…", building: "Building…", ready: "Starting…", failed: "The build failed", cancelled: "Cancelled", expired: "Expired" };
let etag = null;
async function poll() {
  try {
    const headers = { authorization: "Bearer " + token };
    if (etag) headers["if-none-match"] = etag;
    const res = await fetch("/api/v1/preview/sessions/" + session + "/status?wait=25", { headers, cache: "no-store", credentials: "omit" });
    if (res.status === 200) {
      etag = res.headers.get("etag");
      const s = await res.json();
      const progress = s.status === "building" && s.progress ? " " + Math.round(s.progress * 100) + "%" : "";
      el.textContent = (labels[s.status] || s.status) + progress;
      // Ready opens the app; an ended session reloads into its page (a failed build shows its error).
      if (s.status === "ready" || s.status === "failed") return location.reload();
      if (s.status === "cancelled" || s.status === "expired") return;
    } else if (res.status !== 304) {
      if (res.status === 401 || res.status === 404) return;
      throw new Error("HTTP " + res.status);
    }
    setTimeout(poll, 0);
  } catch (e) {
    setTimeout(poll, 2000);
  }
}
poll();`;

const LABELS: Record<string, string> = {
  pending: "Waiting to build…",
  building: "Building…",
  ready: "Ready to open",
  failed: "The build failed",
  cancelled: "Cancelled",
  expired: "Expired",
};

const findPreview = (c: Context<AppEnv>) => (codeHash: string) =>
  findSessionByCode(database(c.env), codeHash);
const deletedPreview = (c: Context<AppEnv>) => (codeHash: string) =>
  isCodeOfDeletedSession(database(c.env), codeHash);

/** What a reader of the session sees (a session the object no longer knows is over, too). */
async function previewStatus(c: Context<AppEnv>, sessionId: string) {
  const state = await previewStub(c.env, sessionId).get();
  return state ? effectiveStatus(state) : "expired";
}

/** A hexagon as a data: URL (the page CSP's img-src allows it), so no /favicon.ico request 404s. */
const FAVICON = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path fill="#f5a623" d="M8 0l7 4v8l-7 4-7-4V4z"/></svg>',
)}`;

/**
 * What the app may do in its frame: run scripts with its own origin's storage, forms, popups
 * (Linking.openURL), dialogs, downloads — not navigate the shell or reach its DOM.
 */
const FRAME_SANDBOX =
  "allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox allow-modals allow-downloads";
/** Device features an app asks for, delegated to the frame only. */
const FRAME_ALLOW =
  "camera; microphone; geolocation; clipboard-read; clipboard-write; fullscreen; accelerometer; gyroscope; magnetometer";

/**
 * The running preview (docs/previews.md §7): the shell — the HiveSync bar, the build-error overlay
 * and the session's live channel, under a CSP with no inline script — which runs the app in a frame
 * on the session's own preview origin (`frameUrl`: that origin plus the app's own path, so a reload
 * of `/p/<code>/settings` opens the app's `/settings`). The page's preview token is in the shell's
 * `data-token` (never in a URL) and never reaches the frame: the shell fetches the manifests.
 */
function shellPage(
  c: Context<AppEnv>,
  state: PreviewState,
  projectName: string,
  code: string,
  token: string,
) {
  const url = new URL(c.req.url);
  // The page's own path (/p/<code>, as the browser spells it), and the app's path below it.
  const base = url.pathname.split("/").slice(0, 3).join("/");
  const origin = previewOrigin(getConfig(c.env), c.req.url, state.session_id);
  // The app gets the page's query, less the link's key: it is the shell's, not the app's.
  const query = new URLSearchParams(url.search);
  query.delete(LINK_KEY_PARAM);
  const search = query.size > 0 ? `?${query}` : "";
  const frameUrl = `${origin}${url.pathname.slice(base.length) || "/"}${search}`;
  const body = htmlTemplate`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="robots" content="noindex">
<link rel="icon" href="${FAVICON}">
<title>${projectName} — HiveSync preview</title>
</head>
<body>
<iframe id="hs-app" title="App preview" src="${frameUrl}" sandbox="${FRAME_SANDBOX}" allow="${FRAME_ALLOW}" referrerpolicy="no-referrer"></iframe>
<script src="${SHELL_URL}" data-session="${state.session_id}" data-token="${token}" data-base="${base}" data-project="${projectName}" data-deep-link="hivesync://preview?code=${code}"></script>
</body>
</html>
`;
  c.header("content-security-policy", shellPolicy(origin));
  // It holds a token: never stored by a browser or a proxy.
  c.header("cache-control", "no-store");
  return c.html(body, 200);
}

/**
 * Renders a page, its refusals as pages too. The pages are outside `/api/v1` and its general
 * limit: an address loads at most `pagesPerIp` of them a minute, more than any room of phones
 * behind one address opens (docs/scale.md §"A room of phones").
 */
async function guarded(c: Context<AppEnv>, render: (nonce: string) => Promise<Response>): Promise<Response> {
  const nonce = base64url(crypto.getRandomValues(new Uint8Array(16)));
  try {
    const key = `pages:ip:${clientIp(c.req.raw.headers)}`;
    const decision = await takeGeneral(c.env.RATE_LIMITER, key, getConfig(c.env).pagesPerIp);
    if (!decision.allowed) throw rateLimited(decision);
    return await render(nonce);
  } catch (err) {
    if (err instanceof ApiError && err.code === "RATE_LIMITED") {
      c.header("retry-after", err.headers["retry-after"] ?? "60");
      return html(
        c,
        429,
        nonce,
        <Page title="Busy" nonce={nonce}>
          <h1>Too many opens right now</h1>
          <p class="muted">Wait a moment, then reload this page.</p>
        </Page>,
      );
    }
    if (err instanceof ApiError && err.code === "TOO_MANY_ATTEMPTS") {
      c.header("retry-after", err.headers["retry-after"] ?? "600");
      return html(
        c,
        429,
        nonce,
        <Page title="Too many attempts" nonce={nonce}>
          <h1>Too many wrong codes</h1>
          <p class="muted">Wait a few minutes, then scan the QR code again.</p>
        </Page>,
      );
    }
    throw err;
  }
}

/** `GET /p/:code`, `GET /p/:code/status` and `GET /l/:code`: what a phone without the app sees. */
export function registerLandingPages(app: {
  get: (path: string, handler: (c: Context<AppEnv>) => Promise<Response>) => unknown;
}) {
  /** The preview page; under `/p/<code>/<path>` too, the app's own path (Expo Router's URL). */
  const previewPage = (c: Context<AppEnv>) =>
    guarded(c, async (nonce) => {
      const { letters, found, ended } = await lookup(
        c,
        c.req.param("code") ?? "",
        findPreview(c),
        deletedPreview(c),
        keyOfLink(c),
      );
      if (ended) {
        return html(
          c,
          410,
          nonce,
          <Page title="Preview unavailable" nonce={nonce}>
            <h1>This preview has expired</h1>
            <p class="muted">It can no longer be opened. Ask for a new code.</p>
          </Page>,
        );
      }
      if (!found || !letters) return unknownCode(c, nonce);
      const state = await previewStub(c.env, found.id).get();
      const status = state ? effectiveStatus(state) : "expired";
      const code = formatCode(letters);
      if (isTerminal(status)) {
        const error = status === "failed" ? state?.error : undefined;
        return html(
          c,
          410,
          nonce,
          <Page title="Preview unavailable" nonce={nonce}>
            <h1>{found.projectName}</h1>
            <p class="status">{LABELS[status]}</p>
            {error?.file ? (
              <p class="muted">
                <code>
                  {error.file}:{error.line ?? 1}:{error.column ?? 1}
                </code>{" "}
                {error.message}
              </p>
            ) : null}
            {error?.frame ? <pre class="frame">{error.frame}</pre> : null}
            <p class="muted">
              {status === "failed"
                ? "The app did not build. Fix the error and start the preview again: it gets a new code."
                : "This preview can no longer be opened. Ask for a new code."}
            </p>
          </Page>,
        );
      }
      // The session runs: this page is the app itself, for any platform the session was built for.
      const config = getConfig(c.env);
      await enforceRateLimit(c.env, `preview-opens:${found.id}`, config.previewOpens);
      const { token } = await issueViewerToken(config.jwtSecret, found.id);
      if (state && status === "ready") {
        // An open is a page that runs the app; a waiting page reloads into this when it is ready.
        c.executionCtx.waitUntil(
          previewStub(c.env, found.id).noteOpen({ device_id: null, platform: state.platform }),
        );
        return shellPage(c, state, found.projectName, code, token);
      }
      return html(
        c,
        200,
        nonce,
        <Page title={`Preview of ${found.projectName}`} nonce={nonce} script={WAIT_SCRIPT}>
          <h1>{found.projectName}</h1>
          <p class="muted">Live preview for {found.platform}</p>
          <p id="status" class="status" data-session={found.id} data-token={token}>
            {LABELS[status]}
          </p>
          <a class="button" href={`hivesync://preview?code=${code}`}>
            Open in HiveSync
          </a>
          <p class="muted">
            Or type <code>{code}</code> in the app.
          </p>
        </Page>,
      );
    });
  app.get("/p/:code", previewPage);

  app.get("/shell/:file", async (c) => {
    if (c.req.param("file") !== SHELL_URL.slice("/shell/".length))
      throw new ApiError("NOT_FOUND", "There is nothing at this address.");
    return c.body(SHELL_SCRIPT, 200, {
      "content-type": "application/javascript; charset=utf-8",
      "cache-control": "public, max-age=31536000, immutable",
      "cross-origin-resource-policy": "same-origin",
    });
  });

  app.get("/p/:code/status", async (c) => {
    const { found, ended } = await lookup(c, c.req.param("code") ?? "", findPreview(c), deletedPreview(c));
    if (!found && !ended) throw new ApiError("NOT_FOUND", "No preview has this code.");
    const status = found ? await previewStatus(c, found.id) : "expired";
    c.header("cache-control", "no-store");
    return c.json({ status, label: LABELS[status], final: isTerminal(status) });
  });
  // After /p/:code/status: a path the app navigated to (a reload of /p/<code>/settings) is the page.
  app.get("/p/:code/*", previewPage);

  app.get("/l/:code", (c) =>
    guarded(c, async (nonce) => {
      const { letters, found } = await lookup(c, c.req.param("code") ?? "", (codeHash) =>
        findLinkCode(database(c.env), codeHash),
      );
      if (!found || !letters) return unknownCode(c, nonce);
      const code = formatCode(letters);
      if (found.usedAt || Date.now() >= new Date(found.expiresAt).getTime()) {
        return html(
          c,
          410,
          nonce,
          <Page title="Link code expired" nonce={nonce}>
            <h1>This link code has been used or has expired</h1>
            <p class="muted">Make a new one on your desktop: it lasts 10 minutes.</p>
          </Page>,
        );
      }
      return html(
        c,
        200,
        nonce,
        <Page title="Link your phone" nonce={nonce}>
          <h1>Link this phone to HiveSync</h1>
          <a class="button" href={`hivesync://link?code=${code}`}>
            Open in HiveSync
          </a>
          <p class="muted">
            Or type <code>{code}</code> in the app. The code works once, for 10 minutes.
          </p>
        </Page>,
      );
    }),
  );
}

function unknownCode(c: Context<AppEnv>, nonce: string) {
  return html(
    c,
    404,
    nonce,
    <Page title="Unknown code" nonce={nonce}>
      <h1>This code is not valid</h1>
      <p class="muted">Check the letters, or scan the QR code again.</p>
    </Page>,
  );
}
