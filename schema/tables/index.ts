export * from "./comments";
export * from "./idempotency";
export * from "./projects";
export * from "./users";
