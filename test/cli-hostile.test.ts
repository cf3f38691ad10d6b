// The hostile-input corpus: every file and argument here once crashed, hung or misled the built CLI.
// Each must now exit 2 with one clear message on stderr naming the file and the place, no stack trace,
// nothing on stdout, and stay within a small heap (the child runs with --max-old-space-size).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from './run-cli.js';

const cli = join(root, 'dist/cli/main.js');
/** Heap of the child: far below what any refused input would need if it were expanded. */
const HEAP_MB = 160;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI with a bounded heap; `stdoutFd` sends stdout to an open file instead of a pipe, and
 * `hangUp` closes the reading end of stdout after the first chunk, as `| head` does.
 */
function run(args: readonly string[], stdoutFd?: number, hangUp = false): Promise<Result> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, cli, ...args], {
      cwd: root,
      stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (b: Buffer) => {
      stdout += b.toString();
      if (hangUp) child.stdout?.destroy();
    });
    child.stderr?.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    // a hang detector, not a speed check: far beyond any answer on a busy machine
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

const H = 'test/fixtures/hostile';
const tmp = mkdtempSync(join(tmpdir(), 'ars-hostile-'));
const t = (name: string) => join(tmp, name);

/** One hostile case: the arguments, the file the message must name (if any), and text it must contain. */
interface Case {
  name: string;
  args: string[];
  file?: string;
  where: string;
  /** text that must not appear on stderr (work started before the input was checked) */
  notContain?: string;
  /** stdout goes to this device instead of a pipe */
  stdoutTo?: string;
  skip?: boolean;
}

const base = `${H}/base.yaml`;
const hasFifo = process.platform !== 'win32' && spawnSync('mkfifo', ['--version']).status === 0;

const cases: Case[] = [
  // scenario files that validate but cannot run, or do not parse safely
  {
    name: 'alias bomb',
    args: ['run', `${H}/alias-bomb.yaml`],
    file: `${H}/alias-bomb.yaml`,
    where: ':3:10: refused: YAML aliases expand too much',
  },
  {
    name: 'a billion twins',
    args: ['run', `${H}/billion-twins.yaml`],
    file: `${H}/billion-twins.yaml`,
    where: ':7:26: assets[0].count: refused: 1 billion twins',
  },
  {
    name: 'elastic max 1e9',
    args: ['run', `${H}/elastic-max.yaml`],
    file: `${H}/elastic-max.yaml`,
    where: 'nodes[0].elastic: refused: 1 billion nodes',
  },
  {
    name: 'arrival rate 1e308',
    args: ['run', `${H}/rate-huge.yaml`],
    file: `${H}/rate-huge.yaml`,
    where: ':11:14: workloads[0].arrival: refused: more than 1e308 simulation events per simulated second',
  },
  {
    name: 'horizon 1e12 s',
    args: ['run', `${H}/horizon-huge.yaml`],
    file: `${H}/horizon-huge.yaml`,
    where: ':3:10: horizon: refused: about',
  },
  {
    name: 'window 1e-300 s',
    args: ['validate', `${H}/window-tiny.yaml`],
    file: `${H}/window-tiny.yaml`,
    where: ':13:23: scheduling.window: refused',
  },
  {
    name: 'tenant __proto__',
    args: ['run', `${H}/tenant-proto.yaml`],
    file: `${H}/tenant-proto.yaml`,
    where: ':5:17: tenants[0].id: not a valid identifier',
  },
  {
    name: 'key __proto__',
    args: ['run', `${H}/key-proto.yaml`],
    file: `${H}/key-proto.yaml`,
    where: 'nodes[0].speed.kinds.__proto__: `__proto__` cannot be a key',
  },
  {
    name: 'GA iterations past the work limit',
    args: ['plan', 'test/fixtures/plan/heft-paper.json', '--policy', 'ga', '--iterations', '1000000000000'],
    where: '--iterations 1000000000000 would evaluate about',
  },
  {
    name: 'a million sweep workers',
    args: ['sweep', base, '--vary', 'horizon=10,20', '--workers', '1000000'],
    where: '--workers 1000000: at most 256 worker threads',
  },
  {
    name: 'trace with wrong field types',
    args: ['run', `${H}/trace-wrong-type.yaml`],
    file: `${H}/trace-wrong-type.yaml`,
    where: 'workloads[0].arrival.file: trace line 3: not an arrival time',
  },
  {
    name: 'trace overflowing once scaled',
    args: ['run', `${H}/trace-overflow.yaml`],
    file: `${H}/trace-overflow.yaml`,
    where: 'trace line 3: not an arrival time',
  },
  {
    name: 'trace that is a device',
    args: ['run', `${H}/trace-device.yaml`],
    file: `${H}/trace-device.yaml`,
    where: 'trace is a character device',
  },
  {
    name: 'deep flow nesting',
    args: ['run', t('deep.yaml')],
    file: t('deep.yaml'),
    where: ':1:64: nested too deeply',
  },
  {
    name: 'deep block nesting',
    args: ['validate', t('deep-block.yaml')],
    file: t('deep-block.yaml'),
    where: 'nested too deeply',
  },
  {
    name: 'deep JSON',
    args: ['run', t('deep.json')],
    file: t('deep.json'),
    where: ':1:64: nested too deeply',
  },
  {
    name: 'a 17 MB scenario',
    args: ['run', t('huge.yaml')],
    file: t('huge.yaml'),
    where: ': file too large',
  },
  {
    name: 'a binary file',
    args: ['run', t('binary.yaml')],
    file: t('binary.yaml'),
    where: ': not a text file',
  },
  {
    name: 'a 1 MB bad value',
    args: ['run', t('long-value.yaml')],
    file: t('long-value.yaml'),
    where: 'horizon: wrong type',
  },
  {
    name: 'a FIFO',
    args: ['run', t('fifo.yaml')],
    file: t('fifo.yaml'),
    where: 'named pipe (FIFO), not a regular file',
    skip: !hasFifo,
  },
  {
    name: 'a character device',
    args: ['run', '/dev/zero'],
    file: '/dev/zero',
    where: 'is a character device',
    skip: !existsSync('/dev/zero'),
  },
  // arguments
  {
    name: 'horizon inside the warm-up',
    args: ['run', base, '--horizon', '5'],
    where: "ends before the scenario's warm-up (10 s)",
  },
  {
    name: 'seed beyond 2^53',
    args: ['run', base, '--seed', '9007199254740993'],
    where: '--seed expects an integer',
  },
  {
    name: 'seeds range beyond 2^53',
    args: ['tune', base, '--seeds', '9007199254740993'],
    where: 'beyond 2^53 - 1',
  },
  {
    name: '--param __proto__',
    args: ['run', base, '--param', '__proto__=1'],
    where: '"__proto__" is not a parameter name',
  },
  {
    name: 'a billion replications',
    args: ['compare', base, '-n', '1000000000'],
    file: base,
    where: 'refused: about',
  },
  {
    name: 'a bad --max-work',
    args: ['--max-work', 'lots', 'run', base],
    where: '--max-work expects a number',
  },
  {
    name: 'tune with an unknown baseline',
    args: ['tune', base, '--baselines', 'fifo,nope'],
    where: '--baselines: unknown policy "nope"',
  },
  {
    name: '--trace - with --json',
    args: ['run', base, '--trace', '-', '--json'],
    where: '--trace - writes the decisions to stdout',
  },
  // destinations
  {
    name: '--trace into a missing folder',
    args: ['run', base, '--trace', t('no/such/dir/d.jsonl')],
    where: 'cannot write there: no such directory',
  },
  {
    name: '--trace to a full device',
    args: ['run', base, '--trace', '/dev/full'],
    where: 'cannot write --trace /dev/full: no space left on the device (ENOSPC)',
    skip: !existsSync('/dev/full'),
  },
  {
    name: 'stdout on a full device',
    args: ['run', base, '--json'],
    stdoutTo: '/dev/full',
    where: 'cannot write to stdout: no space left on the device (ENOSPC)',
    skip: !existsSync('/dev/full'),
  },
  {
    name: 'schema --out to a full device',
    args: ['schema', '--out', '/dev/full'],
    where: 'no space left on the device',
    skip: !existsSync('/dev/full'),
  },
  {
    name: 'tune --out under a file',
    args: ['tune', base, '--out', t('a-file/profile.json')],
    where: 'is not a directory',
  },
  {
    name: 'a profile that is a device',
    args: ['run', base, '--policy', 'ars', '--param', 'profile=/dev/zero'],
    where: 'cannot read profile /dev/zero: is a character device',
    skip: !existsSync('/dev/zero'),
  },
  {
    name: 'a profile naming an Object.prototype key',
    args: ['run', base, '--policy', 'ars', '--param', `profile=${H}/profile-tostring.json`],
    where: 'unknown parameter "toString"',
  },
  {
    name: 'tune with a start profile that is not one',
    args: ['tune', base, '--start', `${H}/drf-wrong-shape.yaml`, '--baselines', 'fifo'],
    where: 'cannot read profile',
    notContain: 'references',
  },
  // the other loaders
  {
    name: 'DRF duplicate users',
    args: ['drf', `${H}/drf-duplicate-users.yaml`],
    file: `${H}/drf-duplicate-users.yaml`,
    where: ':4:11: users[1].id: duplicate user id `A`',
  },
  {
    name: 'DRF wrong shapes',
    args: ['drf', `${H}/drf-wrong-shape.yaml`],
    file: `${H}/drf-wrong-shape.yaml`,
    where: ':1:11: capacity: wrong type',
  },
  {
    name: 'DRF alias bomb',
    args: ['drf', `${H}/drf-alias-bomb.yaml`],
    file: `${H}/drf-alias-bomb.yaml`,
    where: 'refused: YAML aliases expand too much',
  },
  {
    name: 'DRF from a device',
    args: ['drf', '/dev/zero'],
    file: '/dev/zero',
    where: 'is a character device',
    skip: !existsSync('/dev/zero'),
  },
  {
    name: 'plan header asking for 10^18 values',
    args: ['plan', `${H}/plan-huge-header.etc`, '--policy', 'minmin'],
    file: `${H}/plan-huge-header.etc`,
    where: ':1: too few ETC values',
  },
  {
    name: 'plan nested too deeply',
    args: ['plan', t('deep.json'), '--policy', 'heft'],
    file: t('deep.json'),
    where: ':1:64: nested too deeply',
  },
  {
    name: 'explain a trace with wrong types',
    args: ['explain', `${H}/decisions-wrong-types.jsonl`, '--subject', 'w#1/t'],
    file: `${H}/decisions-wrong-types.jsonl`,
    where: ':1: not a decision: `candidates` must be a list',
  },
  {
    name: 'explain a trace without line breaks',
    args: ['explain', t('one-line.jsonl'), '--subject', 'x'],
    file: t('one-line.jsonl'),
    where: ':1: line longer than',
  },
];

const results = new Map<string, Result>();

beforeAll(async () => {
  writeFileSync(t('deep.yaml'), `${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
  writeFileSync(t('deep.json'), `${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
  writeFileSync(
    t('deep-block.yaml'),
    `${Array.from({ length: 2_000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')} 1\n`,
  );
  writeFileSync(t('huge.yaml'), '');
  truncateSync(t('huge.yaml'), 17 * 1024 * 1024); // sparse: large, yet costs no disk
  writeFileSync(t('binary.yaml'), Buffer.from([0x6e, 0x61, 0x00, 0xff, 0xfe, 0x1b, 0x5b, 0x32, 0x4a, 0x07]));
  writeFileSync(t('long-value.yaml'), `name: x\nhorizon: "${'\u001b[2J'.repeat(250_000)}"\n`);
  writeFileSync(t('one-line.jsonl'), 'x'.repeat(3_000_000));
  writeFileSync(t('a-file'), 'not a folder\n');
  if (hasFifo) spawnSync('mkfifo', [t('fifo.yaml')]);
  const todo = cases.filter((c) => !c.skip);
  // a few at a time: the machine is shared
  for (let i = 0; i < todo.length; i += 4) {
    await Promise.all(
      todo.slice(i, i + 4).map(async (c) => {
        const fd = c.stdoutTo ? openSync(c.stdoutTo, 'w') : undefined;
        try {
          results.set(c.name, await run(c.args, fd));
        } finally {
          if (fd !== undefined) closeSync(fd);
        }
      }),
    );
  }
}, 900_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the CLI on hostile input', () => {
  it.each(cases.filter((c) => !c.skip))('$name: exit 2, one clear message', (c) => {
    const r = results.get(c.name)!;
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toMatch(/internal error|FATAL|heap out of memory/i);
    expect(r.stderr).toContain(c.where);
    if (c.file) expect(r.stderr).toContain(c.file);
    if (c.notContain) expect(r.stderr).not.toContain(c.notContain);
    const lines = r.stderr.trimEnd().split('\n');
    for (const line of lines) expect(line.length).toBeLessThan(1_000);
    expect(new Set(lines).size, 'the same line twice').toBe(lines.length);
    // no raw control bytes from the input reach the terminal
    // biome-ignore lint/suspicious/noControlCharactersInRegex: what must not appear
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });

  it('a reader that closes the pipe early ends the run with exit 2 and one line', async () => {
    const r = await run(['run', base, '--trace', '-'], undefined, true);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim()).toBe(
      'error ARS_E_INPUT_ARGUMENT: cannot write to stdout: the reader closed the pipe (EPIPE)',
    );
  }, 240_000);

  it('--trace - writes the decisions to stdout and the table to stderr', async () => {
    const r = await run(['run', base, '--trace', '-']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('subject');
    expect(r.stderr).toContain('dominant shares');
    expect(r.stderr).toContain(`wrote ${lines.length} decisions to stdout`);
  }, 240_000);

  it('--no-limits lifts the count limits', async () => {
    const r = await run(['--no-limits', 'validate', `${H}/window-tiny.yaml`]);
    expect(r.code, r.stderr).toBe(0);
  }, 240_000);
});
