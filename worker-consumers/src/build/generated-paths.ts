/**
 * Files the desktop makes for the build beside the app's own, used in place of the file they are
 * made from (docs/previews.md §3): a Tailwind stylesheet's compiled CSS at
 * `.hivesync/tailwind/<its path>` (clients/desktop/src/tailwind-css.ts), and a source file as the
 * React Compiler makes it at `.hivesync/react-compiler/<its path>` (clients/desktop/src/react-compiler.ts).
 */
export const TAILWIND_MIRROR_DIR = ".hivesync/tailwind";
export const REACT_COMPILER_MIRROR_DIR = ".hivesync/react-compiler";
