// The words a download's progress notification shows (no editor needed, so tests reach it).
import type { PullModelProgress } from '../../../common/protocol';

export const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

/** What the progress notification says. */
export function progressMessage(progress: PullModelProgress): string {
  if (progress.waitingForOther) return 'waiting for another window’s download of this file…';
  const percent = progress.totalBytes > 0 ? Math.floor((100 * progress.downloadedBytes) / progress.totalBytes) : 0;
  const speed = `${(progress.bytesPerSecond / 2 ** 20).toFixed(1)} MiB/s`;
  const left = Number.isFinite(progress.secondsLeft) && progress.secondsLeft > 0 ? `, ${progress.secondsLeft >= 90 ? `${Math.round(progress.secondsLeft / 60)} min` : `${Math.ceil(progress.secondsLeft)} s`} left` : '';
  return `${percent} % of ${gb(progress.totalBytes)} — ${speed}${left}`;
}

