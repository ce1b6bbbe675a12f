// The words a download's progress notification shows (no editor needed, so tests reach it).
import type { PullModelProgress } from '../../../common/protocol';

export const gb = (bytes: number) => `${(bytes / 1e9).toFixed(1)} GB`;

/** A download's size as people read it: GB from 1 GB up, MB below. */
export const size = (bytes: number) => (bytes >= 1e9 ? gb(bytes) : `${(bytes / 1e6).toFixed(bytes >= 1e8 ? 0 : 1)} MB`);

/** What the progress notification says. */
export function progressMessage(progress: PullModelProgress): string {
  if (progress.waitingForOther) return 'waiting for another window’s download of this file…';
  // Before the first bytes (and their speed) there is nothing to estimate from.
  if (progress.downloadedBytes <= 0 || progress.bytesPerSecond <= 0) return progress.totalBytes > 0 ? `starting (${size(progress.totalBytes)})…` : 'starting…';
  const percent = progress.totalBytes > 0 ? Math.floor((100 * progress.downloadedBytes) / progress.totalBytes) : 0;
  const speed = `${(progress.bytesPerSecond / 2 ** 20).toFixed(1)} MiB/s`;
  const left = Number.isFinite(progress.secondsLeft) && progress.secondsLeft > 0 ? `, ${progress.secondsLeft >= 90 ? `${Math.round(progress.secondsLeft / 60)} min` : `${Math.ceil(progress.secondsLeft)} s`} left` : '';
  return `${percent} % of ${size(progress.totalBytes)} — ${speed}${left}`;
}
