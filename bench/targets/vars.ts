// Limits raised for a bench run, identical on both targets: the production limits would turn a
// load test into a 429 test (general 1,200/min), stop the preview scenarios at 10 live sessions
// and 60 starts an hour, and the CLI logins at 10 a minute.
export const BENCH_VARS: Record<string, string> = {
  RATE_LIMIT_GENERAL: "100000000",
  RATE_LIMIT_PREVIEW_STARTS_PER_HOUR: "100000",
  RATE_LIMIT_AI_JOBS_PER_HOUR: "100000",
  RATE_LIMIT_LOGIN_PER_IP: "100000",
  MAX_ACTIVE_PREVIEWS: "1000",
};
