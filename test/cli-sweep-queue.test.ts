// Distributed sweeps on a real Redis (REDIS_URL, default redis://127.0.0.1:6379) with BullMQ: two
// `ars worker` processes give the bytes of a local sweep, and a worker killed in the middle of a cell
// loses nothing. Skipped, with a message, when Redis does not answer.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { ars, root } from './run-cli.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const { hostname, port } = new URL(REDIS_URL);
const redisUp = await new Promise<boolean>((done) => {
  const socket = createConnection({ host: hostname, port: Number(port || 6379) });
  socket.setTimeout(1000);
  socket.once('connect', () => {
    socket.destroy();
    done(true);
  });
  socket.once('error', () => done(false));
  socket.once('timeout', () => {
    socket.destroy();
    done(false);
  });
});
if (!redisUp)
  process.stderr.write(
    `cli-sweep-queue: skipped, no Redis at ${REDIS_URL} (apt-get install -y redis-server)\n`,
  );

const dir = mkdtempSync(join(tmpdir(), 'ars-queue-'));
const prefixes: string[] = [];
const workers: ChildProcess[] = [];

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  for (const prefix of prefixes) {
    const queue = new Queue('ars-sweep', { connection: { url: REDIS_URL }, prefix });
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A queue prefix no other test (or engineer) uses. */
function uniquePrefix(name: string): string {
  const prefix = `ars-test-${name}-${process.pid}-${Date.now()}`;
  prefixes.push(prefix);
  return prefix;
}

/** Starts `ars worker` and resolves once it waits for cells; its stderr is kept in `log`. */
function startWorker(prefix: string, lockMs = 30_000): Promise<{ child: ChildProcess; log: string[] }> {
  const child = spawn(
    process.execPath,
    [
      join(root, 'dist/cli/main.js'),
      'worker',
      '--queue',
      REDIS_URL,
      '--queue-prefix',
      prefix,
      '--lock-ms',
      String(lockMs),
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  workers.push(child);
  const log: string[] = [];
  return new Promise((ready, fail) => {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      log.push(chunk);
      if (chunk.includes('waiting for cells')) ready({ child, log });
    });
    child.once('exit', (code) => fail(new Error(`worker exited with ${code}: ${log.join('')}`)));
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });

describe.skipIf(!redisUp)('ars sweep --queue with ars worker', () => {
  const args = [
    '--vary',
    'workloads.*.rate=0.5x,2x',
    '--policies',
    'fifo,drf',
    '-n',
    '2',
    '--horizon',
    '40',
    '--json',
  ];

  it('two worker processes give the same bytes as a local sweep', async () => {
    const local = await ars(
      'sweep',
      'examples/seed-case-study.yaml',
      ...args,
      '--store',
      join(dir, 'local.db'),
    );
    expect(local.code, local.stderr).toBe(0);
    const prefix = uniquePrefix('bytes');
    const [a, b] = await Promise.all([startWorker(prefix), startWorker(prefix)]);
    const queued = await ars(
      'sweep',
      'examples/seed-case-study.yaml',
      ...args,
      '--store',
      join(dir, 'queued.db'),
      '--queue',
      REDIS_URL,
      '--queue-prefix',
      prefix,
    );
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stdout).toBe(local.stdout);
    await Promise.all([stop(a.child), stop(b.child)]);
    // both took part or one did all: either way every cell ran on a worker, none locally
    const ran = [...a.log, ...b.log].join('').match(/ran cell/g) ?? [];
    expect(ran.length).toBeGreaterThanOrEqual(8);
  }, 240_000);

  it('a worker killed in the middle of a cell loses nothing: another runs the cell again', async () => {
    const slow = [
      '--vary',
      'workloads.*.rate=1x,2x',
      '--policies',
      'fifo',
      '-n',
      '1',
      '--horizon',
      '120',
      '--json',
    ];
    const local = await ars(
      'sweep',
      'examples/smart-factory.yaml',
      ...slow,
      '--store',
      join(dir, 'slow-local.db'),
    );
    expect(local.code, local.stderr).toBe(0);
    const prefix = uniquePrefix('kill');
    const doomed = await startWorker(prefix, 2000);
    const sweep = ars(
      'sweep',
      'examples/smart-factory.yaml',
      ...slow,
      '--store',
      join(dir, 'slow-queued.db'),
      '--queue',
      REDIS_URL,
      '--queue-prefix',
      prefix,
    );
    // the first cell takes over a second: kill the worker while it holds it
    await new Promise((r) => setTimeout(r, 1500));
    doomed.child.kill('SIGKILL');
    const rescuer = await startWorker(prefix, 2000);
    const queued = await sweep;
    expect(queued.code, queued.stderr).toBe(0);
    expect(queued.stdout).toBe(local.stdout);
    await stop(rescuer.child);
  }, 240_000);
});
