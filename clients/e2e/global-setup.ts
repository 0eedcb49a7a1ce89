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
    await stack.stop();
  };
}
