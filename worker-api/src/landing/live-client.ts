/**
 * The preview page's live client (docs/previews.md §6, §7): a small same-origin script the page
 * puts just before the runtime (`/runtime/<hash>.js`), so it starts fetching the manifest while the
 * runtime downloads. It reads its `data-session` and `data-token`
 * attributes (the page's preview-scoped token: never in a URL), loads the manifest the session
 * serves into the runtime (`__hs.load`), and follows the session's WebSocket
 * (`/api/v1/preview/sessions/<id>/live`, the token in the `bearer.<token>` subprotocol): a new
 * revision is fetched and swapped in (`__hs.update`, no page reload), a build error is shown over
 * the running app, and the bar says live, updating, reconnecting or offline. When the socket
 * cannot be opened at all it long-polls the status instead (`?wait=25`).
 *
 * Plain ES2017 in a string (no bundler step): it must run as written in any current browser.
 */
export const LIVE_CLIENT_SCRIPT = `"use strict";
(function () {
  var me = document.currentScript;
  var session = me && me.dataset.session;
  var token = me && me.dataset.token;
  if (!session || !token) return;
  var manifestUrl = "/api/v1/preview/bundle/" + session;
  var statusUrl = "/api/v1/preview/sessions/" + session + "/status";
  var auth = { authorization: "Bearer " + token };

  function fetchManifest() {
    return fetch(manifestUrl, { headers: auth, cache: "no-store", credentials: "omit" }).then(function (res) {
      if (!res.ok) throw new Error("Could not load the preview's manifest (HTTP " + res.status + ")");
      return res.json();
    });
  }

  // The page puts this script before the runtime, so the manifest is on its way while the runtime
  // downloads and starts; everything else waits for the runtime (window.__hs).
  var early = fetchManifest();
  early.catch(function () {});
  if (window.__hs) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });

  function start() {
    var hs = window.__hs;
    if (!hs) return;
    var runtimeTag = document.querySelector('script[src^="/runtime/"]');
    var loadedRuntime = runtimeTag ? runtimeTag.getAttribute("src") : null;
    var applied = 0; // the revision on screen
    var shownError = 0; // the revision whose build error is on screen
    var runtimeUrl = loadedRuntime;
    var ended = false;
    var socket = null;
    var failures = 0;
    var polling = false;
    var chain = Promise.resolve();
    var live = (window.__hsLive = { revision: 0, state: "connecting", updates: 0, socket: false });

    function setState(state) {
      if (live.state === state) return;
      live.state = state;
      hs.bar({ state: state });
    }

    // One change at a time, in the order they came: a manifest, then the error of a newer revision.
    function serial(task) {
      chain = chain.then(task).catch(function (error) {
        hs.failLoad(error);
      });
      return chain;
    }

    function showRevision(revision) {
      return serial(function () {
        if (revision !== undefined && revision <= applied) return;
        var manifest = early || fetchManifest();
        early = null;
        return manifest.then(function (manifest) {
          if (!(manifest.revision > applied)) return;
          var app = manifest.app || {};
          // A newer runtime was deployed: only a fresh page can load it.
          if (applied && app.runtime && loadedRuntime && app.runtime !== loadedRuntime) return location.reload();
          if (app.runtime) runtimeUrl = app.runtime;
          var before = applied;
          applied = manifest.revision;
          return (before ? hs.update(manifest) : hs.load(manifest)).then(function (result) {
            // A script that did not download: try this revision again on the next status.
            if (result && result.failed === "load") applied = before;
            live.revision = applied;
            live.updates += 1;
            live.last = result;
          });
        });
      });
    }

    function showBuildError(error) {
      return serial(function () {
        if (!error || error.revision <= applied || error.revision <= shownError) return;
        shownError = error.revision;
        var errors = error.errors && error.errors.length ? error.errors : [error];
        return hs.update({ revision: error.revision, app: { runtime: runtimeUrl, errors: errors } });
      });
    }

    function onStatus(status) {
      live.status = status.status;
      if (status.status === "ready") {
        if (status.revision > applied) showRevision(status.revision);
        if (status.build_error) showBuildError(status.build_error);
        setState(status.stage === "updating" ? "updating" : "live");
      } else if (status.status === "expired" || status.status === "cancelled" || status.status === "failed") {
        ended = true;
        setState("offline");
      }
    }

    function onMessage(text) {
      var message;
      try {
        message = JSON.parse(text);
      } catch (e) {
        return;
      }
      if (message.type === "status") onStatus(message);
      else if (message.type === "revision") showRevision(message.revision);
      else if (message.type === "build_error") showBuildError(message.error);
    }

    function connect() {
      if (ended || socket || polling) return;
      setState(failures ? "reconnecting" : "connecting");
      var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/v1/preview/sessions/" + session + "/live";
      var ws;
      try {
        ws = new WebSocket(url, ["hivesync", "bearer." + token]);
      } catch (e) {
        return fallBack();
      }
      var opened = false;
      socket = ws;
      ws.onopen = function () {
        opened = true;
        failures = 0;
        live.socket = true;
      };
      ws.onmessage = function (event) {
        if (typeof event.data === "string" && event.data !== "pong") onMessage(event.data);
      };
      ws.onclose = function (event) {
        socket = null;
        live.socket = false;
        if (ended || event.code === 4000) {
          ended = true;
          return setState("offline");
        }
        failures += 1;
        // A socket that never opened, three times over: a network that does not pass WebSockets.
        if (!opened && failures >= 3) return fallBack();
        setState("reconnecting");
        setTimeout(connect, Math.min(10000, 500 * Math.pow(2, failures - 1)));
      };
    }

    function fallBack() {
      if (polling) return;
      polling = true;
      setState("reconnecting");
      var etag = null;
      (function poll() {
        if (ended) return;
        var headers = { authorization: auth.authorization };
        if (etag) headers["if-none-match"] = etag;
        fetch(statusUrl + "?wait=25", { headers: headers, cache: "no-store", credentials: "omit" })
          .then(function (res) {
            if (res.status === 304) return;
            if (!res.ok) {
              if (res.status === 401 || res.status === 404) {
                ended = true;
                setState("offline");
              }
              throw new Error("HTTP " + res.status);
            }
            etag = res.headers.get("etag");
            return res.json().then(function (status) {
              onStatus(status);
              if (status.status === "ready" && status.stage !== "updating") setState("live");
            });
          })
          .then(
            function () {
              setTimeout(poll, 0);
            },
            function () {
              setTimeout(poll, 3000);
            },
          );
      })();
    }

    // Keep-alive (answered by the session's object without waking it), and a quick reconnect when
    // a phone comes back to the page.
    setInterval(function () {
      if (socket && socket.readyState === 1) socket.send("ping");
    }, 30000);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") connect();
    });
    window.addEventListener("online", connect);

    showRevision(undefined);
    connect();
  }
})();
`;

/** A short, stable digest of the script (FNV-1a, 64 bits as two 32-bit lanes): its immutable URL. */
function digest(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c ^ (a >>> 7), 0x01000193) >>> 0;
  }
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
}

export const LIVE_CLIENT_HASH = digest(LIVE_CLIENT_SCRIPT);
/** Where the preview page loads the live client from; any other name is 404. */
export const LIVE_CLIENT_URL = `/live/${LIVE_CLIENT_HASH}.js`;
