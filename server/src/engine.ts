// Entry of the shared engine process (dist/engine.js): one per user and model settings, started detached by the first
// window that needs it (server/src/sharedEngine/engineLauncher.ts). What it does: sharedEngine/engineProcess.ts.
import { parseArgs } from 'node:util';
import type { LogLevel } from '../../common/settings';
import type { ModelSpec } from './model/modelHost';
import { runEngine } from './sharedEngine/engineProcess';

function main(): void {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      key: { type: 'string' },
      version: { type: 'string' },
      spec: { type: 'string' },
      'idle-ms': { type: 'string' },
      'log-level': { type: 'string' },
      'window-cache': { type: 'string' },
      'window-cache-megabytes': { type: 'string' },
    },
  });
  if (!values.dir || !values.key || !values.spec || !values.version) {
    console.error('usage: engine.js --dir DIR --key KEY --version V --spec JSON [--idle-ms N] [--log-level L] [--window-cache DIR]');
    process.exit(2);
  }
  runEngine({
    dir: values.dir,
    key: values.key,
    version: values.version,
    spec: JSON.parse(values.spec) as ModelSpec,
    idleMs: Number(values['idle-ms'] ?? 300_000),
    logLevel: (values['log-level'] ?? 'info') as LogLevel,
    windowCacheDir: values['window-cache'] || undefined,
    windowCacheMegabytes: Number(values['window-cache-megabytes'] ?? 1024),
  }).catch((error: Error) => {
    console.error(`Engine failed to start: ${error.message}`);
    process.exit(1);
  });
}

main();
