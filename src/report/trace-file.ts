import { closeSync, openSync, writeSync } from 'node:fs';
import type { Decision, DecisionSink } from '../scheduler/scheduler.js';

/** Writes one JSON line per decision to a file, buffered, flushed on close. */
export class JsonLinesFile implements DecisionSink {
  readonly #fd: number;
  #buffer: string[] = [];
  #bytes = 0;
  count = 0;

  constructor(path: string) {
    this.#fd = openSync(path, 'w');
  }

  record(d: Decision): void {
    const line = `${JSON.stringify(d)}\n`;
    this.#buffer.push(line);
    this.#bytes += line.length;
    this.count++;
    if (this.#bytes > 1 << 16) this.flush();
  }

  flush(): void {
    if (this.#buffer.length === 0) return;
    writeSync(this.#fd, this.#buffer.join(''));
    this.#buffer = [];
    this.#bytes = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.#fd);
  }
}
