// `ars keys create|list|revoke`: API keys and agent node credentials in a key file (hashes only, mode 0600).
// The secret is printed once, on stdout, by `create`; nothing else ever shows it.
import type { Command } from 'commander';
import { ArsError } from '../../errors.js';
import {
  AuditLog,
  type KeyFileContents,
  type KeyInfo,
  keyTables,
  readKeyFile,
  SecurityError,
  SqliteAuditStore,
} from '../../security/index.js';
import { writeKeyFile } from '../../security/key-file.js';
import { collect } from '../common.js';
import { EXIT_INPUT, EXIT_OK, printJson, runCommand } from '../io.js';

const DURATION = /^(\d+(?:\.\d+)?)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `30d`, `12h`, `90m`, `45s` from now, or an ISO 8601 time. */
export function parseExpiry(text: string, now: number): number {
  const m = DURATION.exec(text.trim());
  if (m) return now + Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  const t = Date.parse(text);
  if (!Number.isFinite(t))
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `--expires: expected 30d, 12h, 90m, 45s or an ISO time, got ${text}`,
    );
  return t;
}

function load(file: string): KeyFileContents {
  try {
    return readKeyFile(file);
  } catch (e) {
    if (e instanceof SecurityError) throw new ArsError('ARS_E_INPUT_FILE', e.message);
    throw e;
  }
}

function audited(
  file: string | undefined,
  action: string,
  resource: string,
  detail: Record<string, unknown>,
) {
  if (!file) return;
  const store = new SqliteAuditStore(file);
  try {
    new AuditLog(store).append({
      actor: `cli:${process.env.USER ?? 'unknown'}`,
      tenant: typeof detail.tenant === 'string' ? detail.tenant : undefined,
      action,
      resource,
      outcome: 'allowed',
      source: 'cli',
      detail,
    });
  } finally {
    store.close();
  }
}

const line = (k: KeyInfo) =>
  [
    k.id,
    k.nodeId !== undefined ? `node ${k.nodeId}` : k.subject,
    `tenant ${k.tenant ?? '(platform)'}`,
    `roles ${k.roles.join(',') || '-'}`,
    k.revokedAt !== undefined
      ? `revoked ${new Date(k.revokedAt).toISOString()}`
      : k.expiresAt !== undefined
        ? `expires ${new Date(k.expiresAt).toISOString()}`
        : 'no expiry',
    k.label ?? '',
  ]
    .join('  ')
    .trimEnd();

export function register(program: Command): void {
  const keys = program.command('keys').description('API keys and agent node credentials (stored hashed)');

  keys
    .command('create')
    .description('issue a key and print it once on stdout (only its hash is stored)')
    .requiredOption('--file <keys.json>', 'the key file named by `keys:` in the auth file')
    .option('--tenant <id>', 'tenant the key acts for (omit only for a platform administrator)')
    .option('--role <role>', 'role, repeatable (admin, user, reader, …)', collect)
    .option('--node <id>', 'an agent node credential bound to this node (role agent)')
    .option('--label <text>', 'a note shown by `keys list`')
    .option('--expires <when>', 'expiry: 30d, 12h, 90m, 45s, or an ISO time')
    .option('--audit <db>', 'also append the change to this audit log (SQLite)')
    .option('--json', 'print { secret, key } as JSON')
    .action(
      async (
        opts: {
          file: string;
          tenant?: string;
          role?: string[];
          node?: string;
          label?: string;
          expires?: string;
          audit?: string;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        await runCommand(() => {
          const now = Date.now();
          const roles = opts.role ?? [];
          if (!opts.node && opts.tenant === undefined && !roles.includes('admin'))
            throw new ArsError(
              'ARS_E_INPUT_ARGUMENT',
              '--tenant is required unless the key is a platform administrator (--role admin)',
            );
          if (opts.node && opts.tenant === undefined)
            throw new ArsError('ARS_E_INPUT_ARGUMENT', '--node needs --tenant (the tenant the node serves)');
          const expiresAt = opts.expires !== undefined ? parseExpiry(opts.expires, now) : undefined;
          if (expiresAt !== undefined && expiresAt <= now)
            throw new ArsError('ARS_E_INPUT_ARGUMENT', '--expires must be in the future');
          const contents = load(opts.file);
          const tables = keyTables(contents);
          const issued = opts.node
            ? tables.nodes.issue(opts.node, opts.tenant, expiresAt)
            : tables.apiKeys.issue({
                tenant: opts.tenant,
                roles,
                ...(opts.label !== undefined ? { label: opts.label } : {}),
                ...(expiresAt !== undefined ? { expiresAt } : {}),
              });
          writeKeyFile(opts.file, {
            apiKeys: tables.apiKeys.records(),
            nodeKeys: tables.nodes.keys.records(),
          });
          audited(opts.audit, 'key.create', `key:${issued.info.id}`, {
            ...(issued.info.tenant !== undefined ? { tenant: issued.info.tenant } : {}),
            roles: [...issued.info.roles],
            ...(issued.info.nodeId !== undefined ? { nodeId: issued.info.nodeId } : {}),
          });
          if (opts.json) printJson({ secret: issued.secret, key: issued.info });
          else {
            process.stdout.write(`${issued.secret}\n`);
            process.stderr.write(`created ${line(issued.info)}\nthe key is shown once: store it now\n`);
          }
          return EXIT_OK;
        }, Boolean(cmd.optsWithGlobals().debug));
      },
    );

  keys
    .command('list')
    .description('list keys (ids, tenants, roles, expiry; never secrets or hashes)')
    .requiredOption('--file <keys.json>', 'the key file')
    .option('--json', 'print as JSON')
    .action(async (opts: { file: string; json?: boolean }, cmd: Command) => {
      await runCommand(() => {
        const tables = keyTables(load(opts.file));
        const all = [...tables.apiKeys.list(), ...tables.nodes.keys.list()];
        if (opts.json) printJson(all);
        else process.stdout.write(all.map((k) => `${line(k)}\n`).join(''));
        return EXIT_OK;
      }, Boolean(cmd.optsWithGlobals().debug));
    });

  keys
    .command('revoke')
    .description('revoke a key by id (a running server stops accepting it within a second)')
    .argument('<id>', 'the key id (16 hex digits, from `keys list`)')
    .requiredOption('--file <keys.json>', 'the key file')
    .option('--audit <db>', 'also append the change to this audit log (SQLite)')
    .action(async (id: string, opts: { file: string; audit?: string }, cmd: Command) => {
      await runCommand(() => {
        const contents = load(opts.file);
        const tables = keyTables(contents);
        const done = tables.apiKeys.revoke(id) || tables.nodes.revoke(id);
        if (!done) {
          const known = [...contents.apiKeys, ...contents.nodeKeys].some((k) => k.id === id);
          process.stderr.write(
            `error ARS_E_INPUT_ARGUMENT: ${known ? `key ${id} is already revoked` : `no key ${id} in ${opts.file}`}\n`,
          );
          return EXIT_INPUT;
        }
        writeKeyFile(opts.file, { apiKeys: tables.apiKeys.records(), nodeKeys: tables.nodes.keys.records() });
        audited(opts.audit, 'key.revoke', `key:${id}`, {});
        process.stderr.write(`revoked ${id}\n`);
        return EXIT_OK;
      }, Boolean(cmd.optsWithGlobals().debug));
    });
}
