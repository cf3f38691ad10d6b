// Child-process replicas for the reliability tests (test/fixtures/reliability/serve.mjs on the built code).
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { root } from './run-cli.js';

export const SERVE = `${root}/test/fixtures/reliability/serve.mjs`;

export interface Replica {
  child: ChildProcess;
  http: number;
  mqtt: string;
  base: string;
  /** Leadership when it started listening (null: not campaigning). */
  leader: boolean | null;
  /** Lines the replica printed after its first one. */
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a replica on `store` and resolves once it listens. */
export function startReplica(store: string, env: Record<string, string> = {}): Promise<Replica> {
  const child = spawn(process.execPath, [SERVE, store], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    let first = true;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!first) {
        lines.push(line);
        return;
      }
      first = false;
      const info = JSON.parse(line) as { http: number; mqtt: string; leader: boolean | null };
      resolve({
        child,
        http: info.http,
        mqtt: info.mqtt,
        base: `http://127.0.0.1:${info.http}`,
        leader: info.leader,
        lines,
        exited,
      });
    });
    void exited.then(({ code, signal }) => {
      if (first) reject(new Error(`replica exited (${code ?? signal}) before listening: ${stderr}`));
    });
  });
}

export async function putThing(base: string, thingId: string, tenant = 'acme'): Promise<void> {
  const res = await fetch(`${base}/api/v1/things/${encodeURIComponent(thingId)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, attributes: {}, features: {} }),
  });
  if (res.status >= 300) throw new Error(`PUT ${thingId}: ${res.status} ${await res.text()}`);
}

/** The first line (parsed) a replica printed after starting that satisfies `match`, waiting up to `timeoutMs`. */
export async function waitForLine<T = Record<string, unknown>>(
  replica: Replica,
  match: (line: Record<string, unknown>) => boolean,
  timeoutMs: number,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const line of replica.lines) {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (match(parsed)) return parsed as T;
    }
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The test PostgreSQL (ARS_TEST_PG_URL), for the helpers' users. */
export { PG_URL } from './pg-probe.js';
