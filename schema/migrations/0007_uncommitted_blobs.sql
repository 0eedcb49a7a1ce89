ALTER TABLE `mirror_blobs` ADD `state` text DEFAULT 'uncommitted' NOT NULL;--> statement-breakpoint
-- Blobs a revision (any, old ones too) or a dependency set names are committed; the rest were
-- uploaded and never committed, and the daily clean-up collects them.
UPDATE `mirror_blobs` SET `state` = 'committed' WHERE (`project_id`, `sha256`) IN (
	SELECT `project_id`, `sha256` FROM `mirror_files`
	UNION SELECT `project_id`, `sha256` FROM `project_dependencies`
);--> statement-breakpoint
CREATE INDEX `mirror_blobs_uncommitted_idx` ON `mirror_blobs` (`project_id`,`created_at`) WHERE state <> 'committed';
