// A level-filtered logger. The server writes through the LSP connection, so lines land in the client's
// "Hearth" log output channel; tests and the CLI pass their own sink.
import type { LogLevel } from '../../common/settings';

const rank: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };

export interface LogSink {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  log(message: string): void;
}

export class Logger {
  private level: LogLevel = 'info';

  constructor(private readonly sink: LogSink) {}

  setLevel(level: LogLevel): void {
    this.level = level;
  }

  enabled(level: LogLevel): boolean {
    return rank[level] <= rank[this.level];
  }

  error(message: string): void {
    if (this.enabled('error')) this.sink.error(message);
  }
  warn(message: string): void {
    if (this.enabled('warn')) this.sink.warn(message);
  }
  info(message: string): void {
    if (this.enabled('info')) this.sink.info(message);
  }
  debug(message: string): void {
    if (this.enabled('debug')) this.sink.log(`[debug] ${message}`);
  }
  trace(message: string): void {
    if (this.enabled('trace')) this.sink.log(`[trace] ${message}`);
  }
}
