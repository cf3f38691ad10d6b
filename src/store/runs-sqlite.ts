/**
 * The run store: finished simulation runs in one SQLite file (better-sqlite3), keyed by what
 * determines their result — the cell's scenario hash, the policy and its parameters, the seed and
 * the horizon — so a sweep that stops resumes where it stopped and never runs a cell twice.
 *
 * A result is kept as the exact JSON text the run produced: reading it back gives the same bytes.
 * Several processes may share a file (WAL journal, busy timeout); a key is written once (`INSERT
 * OR IGNORE`), so a cell delivered twice is harmless.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ArsError } from '../errors.js';

export const DEFAULT_STORE = '.ars/runs.db';

export interface StoredRun {
  key: string;
  scenario: string;
  scenarioHash: string;
  policy: string;
  policyParams: string;
  /** canonical JSON of the varied parameters' labels, `{}` outside a sweep */
  parameters: string;
  seed: number;
  horizon: number | null;
  /** the run's result document, as JSON text */
  result: string;
  elapsedMs: number;
  createdAt: string;
}

export interface SweepRecord {
  id: string;
  scenario: string;
  baseHash: string;
  /** canonical JSON of the sweep's definition (varied paths and values, policies, seeds, horizon) */
  spec: string;
  cells: number;
  createdAt: string;
}

export interface SweepListing extends SweepRecord {
  done: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  key TEXT PRIMARY KEY,
  scenario TEXT NOT NULL,
  scenario_hash TEXT NOT NULL,
  policy TEXT NOT NULL,
  policy_params TEXT NOT NULL,
  parameters TEXT NOT NULL,
  seed INTEGER NOT NULL,
  horizon REAL,
  result TEXT NOT NULL,
  elapsed_ms REAL NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sweeps (
  id TEXT PRIMARY KEY,
  scenario TEXT NOT NULL,
  base_hash TEXT NOT NULL,
  spec TEXT NOT NULL,
  cells INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sweep_cells (
  sweep_id TEXT NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  key TEXT NOT NULL,
  PRIMARY KEY (sweep_id, position)
);
CREATE INDEX IF NOT EXISTS sweep_cells_key ON sweep_cells(key);
`;

/** Column names to the StoredRun fields. */
const RUN_COLUMNS =
  'key, scenario, scenario_hash AS scenarioHash, policy, policy_params AS policyParams, parameters, seed, horizon, result, elapsed_ms AS elapsedMs, created_at AS createdAt';

export class RunStore {
  readonly file: string;
  private readonly db: Database.Database;

  /** Opens (creating when absent) the store at `file`; `:memory:` gives a private in-memory store. */
  constructor(file: string = DEFAULT_STORE) {
    this.file = file;
    try {
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      this.db = new Database(file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('busy_timeout = 10000');
      this.db.pragma('foreign_keys = ON');
      this.db.exec(SCHEMA);
    } catch (err) {
      throw new ArsError(
        'ARS_E_INPUT_FILE',
        `${file}: cannot open the run store (${err instanceof Error ? err.message : String(err)})`,
      );
    }
  }

  close(): void {
    this.db.close();
  }

  /** The keys among `keys` that the store already holds. */
  existing(keys: readonly string[]): Set<string> {
    const out = new Set<string>();
    const stmt = this.db.prepare('SELECT key FROM runs WHERE key = ?').pluck();
    for (const k of keys) if (stmt.get(k) !== undefined) out.add(k);
    return out;
  }

  /** Stores a run; a key already present is left as it is (the same inputs gave the same bytes). */
  put(run: StoredRun): boolean {
    const info = this.db
      .prepare(
        `INSERT OR IGNORE INTO runs (key, scenario, scenario_hash, policy, policy_params, parameters, seed, horizon, result, elapsed_ms, created_at)
         VALUES (@key, @scenario, @scenarioHash, @policy, @policyParams, @parameters, @seed, @horizon, @result, @elapsedMs, @createdAt)`,
      )
      .run(run);
    return info.changes > 0;
  }

  get(key: string): StoredRun | undefined {
    return this.db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE key = ?`).get(key) as StoredRun | undefined;
  }

  /** Result texts of `keys` (in that order); undefined for a key not stored. */
  results(keys: readonly string[]): (string | undefined)[] {
    const stmt = this.db.prepare('SELECT result FROM runs WHERE key = ?').pluck();
    return keys.map((k) => stmt.get(k) as string | undefined);
  }

  /** Records a sweep's definition and its cells; recording the same sweep again changes nothing. */
  putSweep(sweep: SweepRecord, keys: readonly string[]): void {
    const tx = this.db.transaction(() => {
      const fresh = this.db
        .prepare(
          'INSERT OR IGNORE INTO sweeps (id, scenario, base_hash, spec, cells, created_at) VALUES (@id, @scenario, @baseHash, @spec, @cells, @createdAt)',
        )
        .run(sweep);
      if (fresh.changes === 0) return;
      const cell = this.db.prepare('INSERT INTO sweep_cells (sweep_id, position, key) VALUES (?, ?, ?)');
      for (let i = 0; i < keys.length; i++) cell.run(sweep.id, i, keys[i]);
    });
    tx();
  }

  sweep(id: string): (SweepRecord & { keys: string[] }) | undefined {
    const row = this.db
      .prepare(
        'SELECT id, scenario, base_hash AS baseHash, spec, cells, created_at AS createdAt FROM sweeps WHERE id = ?',
      )
      .get(id) as SweepRecord | undefined;
    if (!row) return undefined;
    const keys = this.db
      .prepare('SELECT key FROM sweep_cells WHERE sweep_id = ? ORDER BY position')
      .pluck()
      .all(id) as string[];
    return { ...row, keys };
  }

  /** Every sweep, newest first, with how many of its cells are stored. */
  sweeps(): SweepListing[] {
    return this.db
      .prepare(
        `SELECT s.id, s.scenario, s.base_hash AS baseHash, s.spec, s.cells, s.created_at AS createdAt,
                (SELECT COUNT(*) FROM sweep_cells c JOIN runs r ON r.key = c.key WHERE c.sweep_id = s.id) AS done
         FROM sweeps s ORDER BY s.created_at DESC, s.id`,
      )
      .all() as SweepListing[];
  }

  /** Runs, newest first, without their result text. */
  runs(limit = 50): Omit<StoredRun, 'result'>[] {
    return this.db
      .prepare(
        `SELECT key, scenario, scenario_hash AS scenarioHash, policy, policy_params AS policyParams, parameters, seed, horizon, elapsed_ms AS elapsedMs, created_at AS createdAt
         FROM runs ORDER BY created_at DESC, key LIMIT ?`,
      )
      .all(limit) as Omit<StoredRun, 'result'>[];
  }

  count(): number {
    return this.db.prepare('SELECT COUNT(*) FROM runs').pluck().get() as number;
  }

  /** Ids of sweeps and keys of runs that start with `prefix` (git-style short ids). */
  resolve(prefix: string): { sweeps: string[]; runs: string[] } {
    const like = `${prefix.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    return {
      sweeps: this.db
        .prepare("SELECT id FROM sweeps WHERE id LIKE ? ESCAPE '\\'")
        .pluck()
        .all(like) as string[],
      runs: this.db
        .prepare("SELECT key FROM runs WHERE key LIKE ? ESCAPE '\\' LIMIT 10")
        .pluck()
        .all(like) as string[],
    };
  }

  /** Removes a sweep and the runs no other sweep uses; returns how many runs went. */
  removeSweep(id: string): number {
    let removed = 0;
    this.db.transaction(() => {
      const keys = this.db
        .prepare('SELECT key FROM sweep_cells WHERE sweep_id = ?')
        .pluck()
        .all(id) as string[];
      this.db.prepare('DELETE FROM sweeps WHERE id = ?').run(id);
      const shared = this.db.prepare('SELECT 1 FROM sweep_cells WHERE key = ? LIMIT 1').pluck();
      const del = this.db.prepare('DELETE FROM runs WHERE key = ?');
      for (const k of new Set(keys)) if (shared.get(k) === undefined) removed += del.run(k).changes;
    })();
    return removed;
  }

  removeRun(key: string): boolean {
    return this.db.prepare('DELETE FROM runs WHERE key = ?').run(key).changes > 0;
  }
}
