CREATE TABLE `preview_codes` (
	`code_hash` text PRIMARY KEY NOT NULL,
	`session_id` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
-- The codes of the sessions that already exist, so they keep answering once their project is deleted.
INSERT INTO `preview_codes` (`code_hash`, `session_id`, `created_at`)
SELECT `code_hash`, `id`, `created_at` FROM `preview_sessions`;
