/**
 * Files the desktop makes for the build beside the app's own (clients/desktop/src/tailwind-css.ts):
 * a Tailwind stylesheet's compiled CSS is mirrored at `.hivesync/tailwind/<its path>`.
 */
export const TAILWIND_MIRROR_DIR = ".hivesync/tailwind";
