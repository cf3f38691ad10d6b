// `ars serve` as a child process for the kill -9 tests: started with the built CLI, resolved with its URL once
// it says where it listens, killed with SIGKILL (every child is killed after the test file).
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { root } from './run-cli.js';

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

export interface ChildServer {
  readonly child: ChildProcess;
  readonly url: string;
  /** everything it wrote on stderr so far */
  stderr(): string;
}

/** `ars serve <args> --status-every 0`; resolves once it listens, rejects if it exits first. */
export function serveChild(args: string[]): Promise<ChildServer> {
  const child = spawn(
    process.execPath,
    [join(root, 'dist/cli/main.js'), 'serve', ...args, '--status-every', '0'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  children.push(child);
  let text = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (b: Buffer) => {
      text += b.toString();
      const m = /ARS live on (http:\/\/[\d.:]+)/.exec(text);
      if (m) resolve({ child, url: m[1]!, stderr: () => text });
    });
    child.on('exit', (code) => reject(new Error(`ars serve exited with ${code}: ${text}`)));
  });
}

/** SIGKILL, resolved once the process is gone. */
export async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGKILL');
  await exited;
}

/** A JSON call: its status and parsed body. */
export async function callJson(method: 'GET' | 'POST', url: string, body?: unknown) {
  const res = await fetch(url, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
