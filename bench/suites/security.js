// The cost of enforcement: policy checks per read and per ingested sample, merge-patch and search checks,
// field encryption, audit appends, and sensitive placement inside a simulation (with and without a rule).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runScenario } from '../../dist/experiment/run.js';
import { loadScenario } from '../../dist/model/index.js';
import { AuditLog, SqliteAuditStore } from '../../dist/security/audit/index.js';
import { FieldCipher, generateKey, parseKeyring } from '../../dist/security/field-crypto.js';
import { TenantLimiter } from '../../dist/security/limits.js';
import {
  CompiledPolicy,
  checkMergePatch,
  checkSearch,
  parsePolicy,
} from '../../dist/security/policy/index.js';

export const name = 'security';

const FEATURES = 20;
const PROPS = 8;

/** A twin with 20 features of 8 properties (160 leaves) plus identity attributes. */
function makeThing(i) {
  const features = {};
  for (let f = 0; f < FEATURES; f++) {
    const properties = {};
    for (let p = 0; p < PROPS; p++) properties[`p${p}`] = i * 1000 + f * 10 + p;
    features[`f${f}`] = { properties };
  }
  return {
    thingId: `bed-${i}`,
    attributes: { ward: 'icu', identity: { name: `patient ${i}`, mrn: `MRN-${i}` } },
    features,
  };
}

/** 50 entries: an owner, nurses with identity revoked, and per-feature grants to 48 device subjects. */
function makePolicy() {
  const entries = {
    owner: {
      subjects: ['role:admin'],
      resources: { 'thing:/': { grant: ['READ', 'WRITE'] }, 'policy:/': { grant: ['READ', 'WRITE'] } },
    },
    nurses: {
      subjects: ['tenant:icu/role:nurse'],
      resources: {
        'thing:/': { grant: ['READ'] },
        'thing:/attributes/identity': { revoke: ['READ'] },
        'thing:/features/f3/properties/p5': { revoke: ['READ'] },
      },
    },
  };
  for (let d = 0; d < 48; d++)
    entries[`device${d}`] = {
      subjects: [`node:gw-${d}`],
      resources: { [`thing:/features/f${d % FEATURES}/properties`]: { grant: ['WRITE'] } },
    };
  return parsePolicy({ entries });
}

const perOp = (n, t0) => ((performance.now() - t0) * 1e6) / n; // ns per operation

export async function run({ quick, measure, log }) {
  const reads = quick ? 500 : 20_000;
  const samples = quick ? 20_000 : 500_000;
  const things = Array.from({ length: 100 }, (_, i) => makeThing(i));
  const policy = new CompiledPolicy(makePolicy());
  const nurse = { kind: 'user', subject: 'oidc:nina', tenant: 'icu', roles: ['nurse'] };
  const device = { kind: 'agent', subject: 'node:gw-3', tenant: 'icu', roles: ['agent'], nodeId: 'gw-3' };
  const nurseView = policy.viewFor(nurse);
  const deviceView = policy.viewFor(device);

  log('security: reads');
  // a read's unavoidable cost is serialising the thing; enforcement adds the filter before it
  const readPlain = await measure(() => {
    const t0 = performance.now();
    let bytes = 0;
    for (let i = 0; i < reads; i++) bytes += JSON.stringify(things[i % things.length]).length;
    if (bytes === 0) throw new Error('unreachable');
    return perOp(reads, t0);
  });
  const readFiltered = await measure(() => {
    const t0 = performance.now();
    let bytes = 0;
    for (let i = 0; i < reads; i++)
      bytes += JSON.stringify(nurseView.filter(things[i % things.length])).length;
    if (bytes === 0) throw new Error('unreachable');
    return perOp(reads, t0);
  });
  const filterOnly = await measure(() => {
    const t0 = performance.now();
    let kept = 0;
    for (let i = 0; i < reads; i++) if (nurseView.filter(things[i % things.length]) !== undefined) kept++;
    if (kept === 0) throw new Error('unreachable');
    return perOp(reads, t0);
  });

  log('security: ingest');
  // per sample: the device may write this property (subtree WRITE check), and the tenant's rate bucket
  const paths = Array.from({ length: PROPS }, (_, p) => ['features', 'f3', 'properties', `p${p}`]);
  const limiter = new TenantLimiter({ samplesPerSecond: 1e12, sampleBurst: 1e12 });
  const ingestCheck = await measure(() => {
    const t0 = performance.now();
    let ok = 0;
    for (let i = 0; i < samples; i++) {
      limiter.samples('icu', 1, i);
      if (deviceView.hasOnSubtree('thing', paths[i % PROPS], 'WRITE')) ok++;
    }
    if (ok !== samples) throw new Error('the device should write its feature');
    return perOp(samples, t0);
  });
  const viewLookup = await measure(() => {
    const t0 = performance.now();
    let n = 0;
    for (let i = 0; i < samples; i++) if (policy.viewFor(i & 1 ? device : nurse) !== undefined) n++;
    if (n === 0) throw new Error('unreachable');
    return perOp(samples, t0);
  });
  const patch = { properties: { p0: 1, p1: 2, p2: 3 } };
  const patchCheck = await measure(() => {
    const t0 = performance.now();
    for (let i = 0; i < samples / 10; i++)
      if (!checkMergePatch(deviceView, patch, ['features', 'f3']).ok) throw new Error('refused');
    return perOp(samples / 10, t0);
  });
  const searchCheck = await measure(() => {
    const t0 = performance.now();
    for (let i = 0; i < reads; i++)
      checkSearch(
        nurseView,
        'and(eq(attributes/ward,"icu"),gt(features/f1/properties/p2,10))',
        'sort(-thingId)',
      );
    return perOp(reads, t0);
  });
  const compile = await measure(() => {
    const t0 = performance.now();
    const n = quick ? 5 : 200;
    for (let i = 0; i < n; i++) new CompiledPolicy(makePolicy()).viewFor(nurse);
    return ((performance.now() - t0) * 1e3) / n; // µs per policy compiled and one view built
  });

  log('security: encryption and audit');
  const cipher = new FieldCipher(
    parseKeyring(JSON.stringify({ active: 'k', keys: { k: generateKey() } }), 'bench'),
  );
  const seal = await measure(() => {
    const t0 = performance.now();
    const n = samples / 10;
    for (let i = 0; i < n; i++) cipher.open(cipher.seal(72.5, 'bed-1/heartRate'), 'bed-1/heartRate');
    return perOp(n, t0);
  });
  const dir = mkdtempSync(join(tmpdir(), 'ars-bench-audit-'));
  let file = 0;
  const audit = await measure(() => {
    const store = new SqliteAuditStore(join(dir, `audit-${file++}.db`));
    const log = new AuditLog(store);
    const n = quick ? 100 : 5_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++)
      log.append({
        actor: 'oidc:nina',
        tenant: 'icu',
        action: 'thing.write',
        resource: `thing:bed-${i}`,
        outcome: 'allowed',
        source: '127.0.0.1',
      });
    const us = ((performance.now() - t0) * 1e3) / n;
    store.close();
    return us;
  });
  rmSync(dir, { recursive: true, force: true });

  log('security: simulation with and without sensitive placement');
  const hospital = loadScenario(new URL('../../examples/smart-hospital.yaml', import.meta.url).pathname);
  const withRule = { ...hospital, privacy: { sensitiveNodes: { zone: 'hospital' } } };
  const horizon = quick ? 20 : 300;
  const sim = (scenario) => () => {
    const t0 = performance.now();
    runScenario(scenario, { policy: 'earliest-deadline-first', horizon });
    return (performance.now() - t0) / 1000;
  };
  const simRuns = quick ? 1 : 3;
  const simPlain = await measure(sim(hospital), { runs: simRuns });
  const simRule = await measure(sim(withRule), { runs: simRuns });

  const spread = (key, m) => ({ [key]: m.median, [`${key}Min`]: m.min, [`${key}Max`]: m.max });
  const result = {
    thing: { leaves: FEATURES * PROPS + 3, policyEntries: 50 },
    read: {
      ...spread('serializeNs', readPlain),
      ...spread('filterAndSerializeNs', readFiltered),
      ...spread('filterNs', filterOnly),
    },
    ingest: { ...spread('checkNs', ingestCheck), ...spread('viewLookupNs', viewLookup) },
    mergePatchNs: patchCheck.median,
    searchCheckNs: searchCheck.median,
    compileUs: compile.median,
    sealOpenNs: seal.median,
    auditAppendUs: audit.median,
    simulation: {
      scenario: 'smart-hospital',
      horizon,
      ...spread('plainSeconds', simPlain),
      ...spread('withRuleSeconds', simRule),
    },
  };
  const row = (figure, m, unit) => ({ figure, median: m.median, min: m.min, max: m.max, unit });
  return {
    result,
    rows: [
      row('read: serialize only (no enforcement)', readPlain, 'ns/read'),
      row('read: filter + serialize (nurse view)', readFiltered, 'ns/read'),
      row('read: filter only', filterOnly, 'ns/read'),
      row('ingest: WRITE check + rate bucket', ingestCheck, 'ns/sample'),
      row('ingest: cached view lookup', viewLookup, 'ns/lookup'),
      row('merge patch check (3 fields)', patchCheck, 'ns/patch'),
      row('search filter+sort check', searchCheck, 'ns/query'),
      row('compile 50-entry policy + 1 view', compile, 'µs'),
      row('AES-256-GCM seal + open', seal, 'ns/field'),
      row('audit append (SQLite file)', audit, 'µs/record'),
      row(`simulate hospital ${horizon}s, no privacy rule`, simPlain, 's'),
      row(`simulate hospital ${horizon}s, sensitiveNodes zone=hospital`, simRule, 's'),
    ],
  };
}
