import type { LogLevel } from '../config/app-config';
import type { LogSink } from './log-sink';

export type LogFields = Readonly<Record<string, unknown>>;
type LineLevel = Exclude<LogLevel, 'silent'> | 'fatal';

const RANK: Readonly<Record<LogLevel | 'fatal', number>> = { debug: 10, info: 20, warn: 30, error: 40, fatal: 50, silent: 100 };

/**
 * One JSON object per line on stdout, the format CloudWatch Logs Insights parses without configuration.
 * Callers pass only fields that are safe to publish: no passwords, no URLs with credentials.
 */
export class JsonLogger {
  private readonly threshold: number;
  private readonly requestsEnabled: boolean;
  // The request line's timestamp, formatted once per millisecond: under load many lines share one.
  private stampMs = 0;
  private stamp = '';

  constructor(
    level: LogLevel,
    private readonly sink: LogSink,
  ) {
    this.threshold = RANK[level];
    this.requestsEnabled = RANK.info >= this.threshold;
  }

  isEnabled(level: LineLevel): boolean {
    return RANK[level] >= this.threshold;
  }

  debug(msg: string, fields?: LogFields): void {
    this.emit('debug', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.emit('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.emit('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.emit('error', msg, fields);
  }

  /** Always written, whatever the level: the process is about to stop because of it. */
  fatal(msg: string, fields?: LogFields): void {
    this.sink.write(JSON.stringify({ time: new Date().toISOString(), level: 'fatal', msg, ...fields }) + '\n');
    this.sink.flush();
  }

  /**
   * The per-request line, on the hot path: built by concatenation rather than JSON.stringify of an object.
   * Only the path can hold arbitrary characters, so only it goes through JSON.stringify.
   */
  request(method: string, path: string, status: number, durationMs: number): void {
    if (!this.requestsEnabled) return;
    const now = Date.now();
    if (now !== this.stampMs) {
      this.stampMs = now;
      this.stamp = new Date(now).toISOString();
    }
    this.sink.write(
      '{"time":"' +
        this.stamp +
        '","level":"info","msg":"request","method":"' +
        method +
        '","path":' +
        JSON.stringify(path) +
        ',"status":' +
        status +
        ',"durationMs":' +
        Math.round(durationMs * 100) / 100 +
        '}\n',
    );
  }

  flush(): void {
    this.sink.flush();
  }

  private emit(level: LineLevel, msg: string, fields: LogFields | undefined): void {
    if (RANK[level] < this.threshold) return;
    this.sink.write(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }) + '\n');
  }
}
