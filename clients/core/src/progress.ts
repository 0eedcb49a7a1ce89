/** Progress of a long client operation (sync, bundle download): files and bytes in one phase. */
export type Progress<Phase extends string> = {
  phase: Phase;
  files_done: number;
  files_total: number;
  bytes_done: number;
  bytes_total: number;
  /** The file just finished, when there is one. */
  path?: string;
};

/**
 * Counts one phase of work and reports every step, so callers only say what happened ("these
 * bytes arrived", "this file is done") instead of rebuilding the whole progress object each time.
 * Reports the phase's start at once.
 *
 * @example
 * const counter = progressCounter("uploading", blobs.length, totalBytes, onProgress);
 * counter.fileDone("src/App.tsx", 1234);
 */
export function progressCounter<Phase extends string>(
  phase: Phase,
  filesTotal: number,
  bytesTotal: number,
  report: ((progress: Progress<Phase>) => void) | undefined,
) {
  let filesDone = 0;
  let bytesDone = 0;
  const emit = (path?: string) =>
    report?.({
      phase,
      files_done: filesDone,
      files_total: filesTotal,
      bytes_done: bytesDone,
      bytes_total: bytesTotal,
      ...(path === undefined ? {} : { path }),
    });
  emit();
  return {
    /** Bytes of a file in flight (a download's chunks). */
    addBytes(bytes: number) {
      bytesDone += bytes;
      emit();
    },
    /** A file finished; `bytes` are counted now unless they were already added chunk by chunk. */
    fileDone(path: string, bytes = 0) {
      filesDone += 1;
      bytesDone += bytes;
      emit(path);
    },
  };
}
