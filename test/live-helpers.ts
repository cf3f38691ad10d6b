// Shared by the live end-to-end tests: services on free ports and `ars agent` child processes, each
// undone after the test that made it.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { type Service, startService } from '../src/live/service.js';
import { type keyTables, writeKeyFile } from '../src/security/index.js';
import { loadAuthFile, type ServerSecurity } from '../src/server/auth-config.js';
import { root } from './run-cli.js';

export const cli = join(root, 'dist/cli/main.js');

/** Undone after each test, last first. */
export const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The live service on a free port with a 500 ms heartbeat, closed after the test. */
export async function serve(options: Parameters<typeof startService>[0] = {}): Promise<Service> {
  const s = await startService({ port: 0, heartbeatMs: 500, ...options });
  cleanups.push(() => s.close());
  return s;
}

export async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Starts `ars agent` as a child process; resolves once the server lists it as up. Killed after the test. */
export async function agentProcess(
  s: Service,
  id: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<ChildProcess> {
  const child = spawn('node', [cli, 'agent', '--server', s.url, '--id', id, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += String(d);
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGCONT'); // a test may have stopped it
      child.kill('SIGKILL');
    }
  });
  await until(() => s.runtime.nodes.some((n) => n.id === id && n.up), `agent ${id} to register (${stderr})`);
  return child;
}

/**
 * Writes the key file of `tables` and an auth file (`keys: keys.json` plus `doc`) into `dir`, and loads it
 * as `ars serve --auth` would. The caller closes the returned security (its audit database).
 */
export function writeAuth(
  dir: string,
  tables: ReturnType<typeof keyTables>,
  doc: Record<string, unknown> = {},
): ServerSecurity {
  writeKeyFile(join(dir, 'keys.json'), {
    apiKeys: tables.apiKeys.records(),
    nodeKeys: tables.nodes.keys.records(),
  });
  writeFileSync(join(dir, 'auth.json'), JSON.stringify({ keys: 'keys.json', ...doc }));
  return loadAuthFile(join(dir, 'auth.json'));
}
