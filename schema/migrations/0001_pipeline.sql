CREATE TABLE `ai_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`project_id` text NOT NULL,
	`type` text NOT NULL,
	`file_path` text NOT NULL,
	`sha256` text NOT NULL,
	`selection_start` integer,
	`selection_end` integer,
	`post_as_comment` integer DEFAULT false NOT NULL,
	`status` text NOT NULL,
	`result` text,
	`error` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `ai_jobs_user_project_idx` ON `ai_jobs` (`user_id`,`project_id`,`id`);--> statement-breakpoint
CREATE TABLE `mirror_blobs` (
	`project_id` text NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`project_id`, `sha256`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `mirror_files` (
	`project_id` text NOT NULL,
	`path` text NOT NULL,
	`revision_from` integer NOT NULL,
	`revision_to` integer,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	PRIMARY KEY(`project_id`, `path`, `revision_from`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `mirror_files_current_idx` ON `mirror_files` (`project_id`,`revision_to`,`path`);--> statement-breakpoint
CREATE TABLE `mirror_syncs` (
	`id` text PRIMARY KEY NOT NULL,
	`project_id` text NOT NULL,
	`revision` integer NOT NULL,
	`branch` text,
	`commit` text,
	`message` text,
	`status` text NOT NULL,
	`stats` text,
	`error` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `mirror_syncs_project_idx` ON `mirror_syncs` (`project_id`,`revision`);--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`type` text NOT NULL,
	`project_id` text,
	`payload` text NOT NULL,
	`created_at` text NOT NULL,
	`read_at` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `notifications_user_idx` ON `notifications` (`user_id`,`id`);--> statement-breakpoint
CREATE INDEX `notifications_unread_idx` ON `notifications` (`user_id`,`read_at`);--> statement-breakpoint
ALTER TABLE `projects` ADD `mirror_sync_id` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `mirror_branch` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `mirror_commit` text;--> statement-breakpoint
ALTER TABLE `projects` ADD `mirror_file_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `mirror_total_bytes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `projects` ADD `mirror_updated_at` text;