// A process's memory as Linux reports it in /proc/PID/status (VmRSS now, VmHWM its peak), in MiB; undefined where
// there is no /proc or the process is gone. One reader for the fuzzer, the LSP session and the reliability tools.
import { readFileSync } from 'node:fs';

export function processStatusMiB(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
