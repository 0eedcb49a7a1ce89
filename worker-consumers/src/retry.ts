import { MAX_RETRIES } from "../../schema/queues";

const BASE_DELAY_SECONDS = 5;
const MAX_DELAY_SECONDS = 300;

/**
 * Exponential backoff for a retry after delivery `attempts` (1-based): 10 s, 20 s, 40 s … capped at
 * 5 min with the default base of 5 s (`RETRY_BASE_DELAY_SECONDS`).
 */
export function retryDelaySeconds(attempts: number, baseSeconds = BASE_DELAY_SECONDS): number {
  return Math.min(MAX_DELAY_SECONDS, Math.ceil(baseSeconds * 2 ** Math.max(1, attempts)));
}

/** Whether this delivery is the last one before the queue gives the message to the dead-letter queue. */
export function isLastAttempt(attempts: number): boolean {
  return attempts > MAX_RETRIES;
}
