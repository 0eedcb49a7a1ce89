CREATE TABLE `project_dependencies` (
	`project_id` text NOT NULL,
	`specifier` text NOT NULL,
	`module_id` text NOT NULL,
	`name` text NOT NULL,
	`version` text NOT NULL,
	`sha256` text NOT NULL,
	`size` integer NOT NULL,
	`requires` text NOT NULL,
	PRIMARY KEY(`project_id`, `specifier`),
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade
);
