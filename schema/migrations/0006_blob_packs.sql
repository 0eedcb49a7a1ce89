ALTER TABLE `mirror_blobs` ADD `pack` text;--> statement-breakpoint
ALTER TABLE `mirror_blobs` ADD `pack_offset` integer;