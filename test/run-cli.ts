// Runs the built CLI (`npm test` builds first) and collects its exit code and output.
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..');
const cli = join(root, 'dist/cli/main.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function ars(...args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile('node', [cli, ...args], { cwd: root, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}
