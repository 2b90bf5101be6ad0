/** Where finished log lines (each ending in "\n") go. */
export interface LogSink {
  write(line: string): void;
  /** Writes out anything buffered, synchronously. Called before the process exits. */
  flush(): void;
}

/**
 * Buffers lines and writes them to stdout in batches: at most FLUSH_INTERVAL_MS after the first buffered line, or
 * at once past MAX_BUFFERED_CHARS. stdout to a pipe or a file is a synchronous syscall on Linux, so a write per
 * request line (or even per event-loop turn) costs a measurable share of a cache hit; one write per interval does
 * not. The process flushes on exit (main.ts), so a clean shutdown loses nothing; a SIGKILL loses at most the
 * last interval.
 */
export class BufferedStdoutSink implements LogSink {
  private static readonly FLUSH_INTERVAL_MS = 25;
  private static readonly MAX_BUFFERED_CHARS = 64 * 1024;
  private buffered = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly flushLater = (): void => {
    this.timer = undefined;
    this.flush();
  };

  write(line: string): void {
    this.buffered += line;
    if (this.buffered.length >= BufferedStdoutSink.MAX_BUFFERED_CHARS) this.flush();
    else if (this.timer === undefined) {
      this.timer = setTimeout(this.flushLater, BufferedStdoutSink.FLUSH_INTERVAL_MS);
      // A pending flush must not keep an otherwise finished process alive.
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.buffered === '') return;
    const data = this.buffered;
    this.buffered = '';
    process.stdout.write(data);
  }
}

/** Keeps lines in memory: for in-process tests and the benchmark. */
export class MemoryLogSink implements LogSink {
  readonly lines: string[] = [];

  write(line: string): void {
    this.lines.push(line);
  }

  flush(): void {}
}
