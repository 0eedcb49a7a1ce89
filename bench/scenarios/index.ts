// Every scenario of `npm run bench`, in run order. A new scenario is one module exporting a
// `Scenario` (bench/harness/types.ts) with its figures and goals, added here; the harness does the
// interleaving, both targets, medians, goals, table and results file. Issue 11's live-preview
// scenario (edit-to-render p50/p95 over ≥ 20 edits, cold open of hello-app and a blank template,
// bytes per edit, in Chromium) is the last.
import type { Scenario } from "../harness/types";
import { aiJobs } from "./ai-jobs";
import { authMe } from "./auth-me";
import { largeProject } from "./large-project";
import { livePreview } from "./live-preview";
import { longPollFanout } from "./long-poll-fanout";
import { push } from "./push";
import { repreview } from "./repreview";
import { room } from "./room";
import { statusPoll } from "./status-poll";
import { timeToPreview } from "./time-to-preview";
import { wsFanout } from "./ws-fanout";

export const SCENARIOS: readonly Scenario[] = [
  timeToPreview,
  repreview,
  aiJobs,
  statusPoll,
  authMe,
  push,
  largeProject,
  longPollFanout,
  // Replaces the placeholder of ./websocket-fanout.ts (same id, so results and goals keep their key).
  wsFanout,
  // Issue 20: a room of phones behind one address watching a session while its owner commits.
  room,
  // Issue 11: edit-to-render, cold open, bytes per edit, in Chromium.
  livePreview,
];
