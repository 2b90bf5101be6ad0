import { writeSync } from 'node:fs';

/** Where finished log lines (each ending in "\n") go. */
export interface LogSink {
  write(line: string): void;
  /** Writes out anything buffered, synchronously. Called before the process exits. */
  flush(): void;
}

/**
 * Buffers lines and writes them to stdout in batches: at most FLUSH_INTERVAL_MS after the first buffered line, or
 * at once when the buffer is nearly full. stdout to a pipe or a file is a synchronous syscall on Linux, so a write per
 * request line (or even per event-loop turn) costs a measurable share of a cache hit; one write per interval does
 * not. Lines are encoded straight into one reused buffer rather than concatenated into a string: under load that
 * string grew by thousands of pieces per interval, and flattening and encoding it again at each flush was garbage
 * for the collector. Writes stay synchronous on purpose: the process flushes on exit (main.ts), and a synchronous
 * write is what guarantees that nothing is lost and that "stopped" is the last line; a SIGKILL loses at most the
 * last interval.
 */
export class BufferedStdoutSink implements LogSink {
  private static readonly FLUSH_INTERVAL_MS = 25;
  private static readonly BUFFER_BYTES = 64 * 1024;
  private buffer = Buffer.allocUnsafe(BufferedStdoutSink.BUFFER_BYTES);
  private used = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly flushLater = (): void => {
    this.timer = undefined;
    this.flush();
  };

  constructor(private readonly fd = 1) {}

  write(line: string): void {
    // A UTF-8 character takes at most 3 bytes per UTF-16 code unit, so this much room always fits the line.
    const room = line.length * 3;
    if (this.used + room > this.buffer.length) {
      this.flush();
      if (room > this.buffer.length) this.buffer = Buffer.allocUnsafe(room);
    }
    this.used += this.buffer.write(line, this.used);
    if (this.timer === undefined) {
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
    let written = 0;
    while (written < this.used) {
      try {
        written += writeSync(this.fd, this.buffer, written, this.used - written);
      } catch (error) {
        // stdout made non-blocking by someone else and its pipe full: wait for the reader rather than lose lines.
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') continue;
        // stdout is gone (EPIPE: nobody reads it any more): there is nowhere left to write these lines.
        break;
      }
    }
    this.used = 0;
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
