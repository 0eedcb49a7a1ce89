// The contract between the harness and a scenario module. A scenario measures on one target at a
// time; the harness calls its rounds interleaved across targets, summarises every figure and
// evaluates its goals from the medians of the same run.
import type { Target, TargetName } from "../targets/target";
import type { Mode } from "./mode";

/** The samples one round (or the one-off step) produced: a figure's value, or several of them. */
export type Samples = Record<string, number | number[]>;

/**
 * How a figure reads and whether a proxy share makes sense for it: `ms` and `rps` are costs the
 * dev proxy adds to, `bytes` and `ratio` are not.
 */
export type FigureKind = "ms" | "rps" | "bytes" | "ratio" | "count";

export type FigureSpec = { label: string; kind: FigureKind };

/** What a scenario gets on each target: where to send requests, the run's mode and a private folder. */
export type ScenarioEnv = {
  target: Target;
  mode: Mode;
  /** A folder of this scenario on this target, removed after the run. */
  work: string;
  /** The run's source snapshot the targets were built from (run the CLI from here, not the checkout). */
  sources: string;
};

export type Scenario<State = unknown> = {
  /** Stable key in `bench/results/latest.json`. */
  id: string;
  title: string;
  /** The targets it runs on, in the order each round visits them. */
  targets: readonly TargetName[];
  /**
   * When set, the scenario is listed but not run: what the server or clients must provide first.
   * It never reports a number.
   */
  notMeasurableYet?: string;
  /** Rounds when a round is long (≥ 3; default: the mode's). */
  rounds?: number;
  figures: Record<string, FigureSpec>;
  goals?: readonly Goal[];
  // Method syntax on purpose: it lets every Scenario<State> sit in one Scenario[] list.
  setup?(env: ScenarioEnv): Promise<State>;
  /** One interleaved round: every A/B step of the scenario once, in a fixed order. */
  round?(state: State, round: number): Promise<Samples>;
  /** Figures measured once after the rounds (byte counts, which do not vary). */
  once?(state: State): Promise<Samples>;
  teardown?(state: State): Promise<void>;
};

/** A figure over the run's samples. */
export type Summary = { median: number; min: number; max: number; p95: number; n: number };

/** A goal, judged from medians of one target in one run. */
export type Goal = {
  id: string;
  text: string;
  /** Where it is asked for, e.g. "issue 13" or "issue 10 guard". */
  source: string;
  target: TargetName;
  op: "<=" | ">=";
  unit: string;
  /** The figure compared with the threshold, from this run's medians (null: it could not be measured). */
  value: (medians: Record<string, number>) => number | null;
  /** A number, or one derived from the committed results (null: no baseline to compare with). */
  threshold: number | ((committed: CommittedResults | null) => number | null);
};

/** The parsed `bench/results/latest.json` of the last commit (any of its past shapes). */
export type CommittedResults = Record<string, unknown>;
