import { writeFile } from "node:fs/promises";
import type { TestProject } from "vitest/node";
import { startLocalStack } from "./local-stack";

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
  }
}

/** One local stack for the whole e2e project; every process it starts is stopped at the end. */
export default async function setup(project: TestProject) {
  const stack = await startLocalStack();
  project.provide("apiUrl", stack.url);
  return async () => {
    // HIVESYNC_E2E_STACK_LOG=<file> keeps what the shared stack printed (requests, queue work, errors).
    const logFile = process.env.HIVESYNC_E2E_STACK_LOG;
    if (logFile) await writeFile(logFile, stack.logs());
    await stack.stop();
  };
}
