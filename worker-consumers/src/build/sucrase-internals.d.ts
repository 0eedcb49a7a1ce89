// sucrase's parser is public code but not a public entry point: these declare the two modules
// specifiers.ts reads (sucrase ships their types under dist/types, which a deep import does not find).
declare module "sucrase/dist/esm/parser/index.js" {
  export function parse(
    input: string,
    isJSXEnabled: boolean,
    isTypeScriptEnabled: boolean,
    isFlowEnabled: boolean,
  ): { tokens: ReadonlyArray<{ type: number; start: number; end: number }> };
}

declare module "sucrase/dist/esm/parser/tokenizer/types.js" {
  export const TokenType: Record<"name" | "string" | "parenL" | "parenR" | "dot" | "questionDot", number>;
}
