// `npm run config:check` (part of `npm run check`): the two wrangler.toml files cannot import
// TypeScript, so this checks them against the tables the code is built from: queues
// (schema/queues.ts) and the limits both Workers enforce (schema/limits.ts). Exits 1 on a mismatch.
import path from "node:path";
import { unstable_readConfig } from "wrangler";
import { SHARED_LIMIT_VARS } from "../schema/limits";
import { DEAD_LETTER_QUEUE, MAX_RETRIES, QUEUE_LIST } from "../schema/queues";

/** The part of a wrangler config checked here (wrangler's own typings of it come out as `any`). */
type Checked = {
  queues: {
    producers?: { binding: string; queue: string }[];
    consumers?: { queue: string; max_retries?: number; dead_letter_queue?: string }[];
  };
  vars: Record<string, unknown>;
};

const root = path.resolve(import.meta.dirname, "..");
const read = (file: string): Checked =>
  unstable_readConfig({ config: path.join(root, file) }, { hideWarnings: true });
const api = read("wrangler.toml");
const consumers = read("worker-consumers/wrangler.toml");
const problems: string[] = [];

const sorted = (items: string[]) => [...items].sort().join(", ");
function same(what: string, actual: string[], expected: string[]): void {
  if (sorted(actual) !== sorted(expected))
    problems.push(`${what}: [${sorted(actual)}], expected [${sorted(expected)}] (schema/queues.ts)`);
}

same(
  "wrangler.toml [[queues.producers]] binding=queue",
  (api.queues.producers ?? []).map((p) => `${p.binding}=${p.queue}`),
  QUEUE_LIST.map((q) => `${q.binding}=${q.queue}`),
);

const consumed = consumers.queues.consumers ?? [];
same(
  "worker-consumers/wrangler.toml [[queues.consumers]] queues",
  consumed.map((c) => c.queue),
  [...QUEUE_LIST.map((q) => q.queue), DEAD_LETTER_QUEUE],
);
for (const { queue } of QUEUE_LIST) {
  const consumer = consumed.find((c) => c.queue === queue);
  if (!consumer) continue;
  // The consumer's retry schedule and its last-attempt handling assume exactly these settings.
  if (consumer.dead_letter_queue !== DEAD_LETTER_QUEUE)
    problems.push(`consumer of ${queue}: dead_letter_queue must be "${DEAD_LETTER_QUEUE}"`);
  if (consumer.max_retries !== MAX_RETRIES)
    problems.push(`consumer of ${queue}: max_retries must be ${MAX_RETRIES} (schema/queues.ts MAX_RETRIES)`);
}

for (const name of SHARED_LIMIT_VARS) {
  const apiValue = api.vars[name];
  const consumersValue = consumers.vars[name];
  if (apiValue === undefined || apiValue !== consumersValue)
    problems.push(
      `[vars] ${name} must have one value in both configs: wrangler.toml has ${JSON.stringify(apiValue)}, worker-consumers/wrangler.toml ${JSON.stringify(consumersValue)} (schema/limits.ts)`,
    );
}

if (problems.length > 0) {
  console.error(`wrangler configs disagree with the code:\n- ${problems.join("\n- ")}`);
  process.exitCode = 1;
} else {
  console.log("wrangler configs agree with schema/queues.ts and schema/limits.ts");
}
