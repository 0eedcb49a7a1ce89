import type { TestProject } from "vitest/node";
import { startLocalStack } from "./local-stack";

/** The soak stack: consumers fail 20 % of deliveries before and 10 % after the work, retrying fast. */
export default async function setup(project: TestProject) {
  const stack = await startLocalStack({
    consumerVars: { FAULT_INJECTION: "before:0.2,after:0.1", RETRY_BASE_DELAY_SECONDS: "1" },
  });
  project.provide("apiUrl", stack.url);
  return async () => {
    const injected = stack.logs().match(/injected fault/g)?.length ?? 0;
    console.log(`soak: ${injected} injected faults were logged by the consumers`);
    await stack.stop();
  };
}
