// Imports point down the layer picture of DESIGN.md section 2 (docs/architecture.md). `npm run layers`
// (scripts/layers.js) applies these rules to the imports of the TypeScript sources, type-only imports
// counted, so a circle hidden by `import type` fails too. Tests beside the code are not checked: they may
// reach across layers to build fixtures.
const layer = (name) => `^src/${name}/`;
const forbid = (from, to, comment) => ({
  name: `${from}-not-${to.join('-')}`,
  comment,
  severity: 'error',
  from: { path: layer(from) },
  to: { path: `^src/(${to.join('|')})/` },
});
const upper = ['experiment', 'report', 'store', 'security', 'live', 'server', 'dashboard', 'cli'];

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    forbid(
      'engine',
      ['model', 'world', 'scheduler', 'policies', 'forecast', 'metrics', ...upper],
      'the kernel knows nothing of twins or policies',
    ),
    forbid(
      'model',
      ['engine', 'world', 'scheduler', 'policies', 'forecast', 'metrics', ...upper],
      'the model is data and validation only',
    ),
    forbid(
      'forecast',
      ['world', 'scheduler', 'policies', 'model', ...upper],
      'forecasters are pure numeric code',
    ),
    forbid('metrics', ['world', 'scheduler', 'policies', ...upper], 'metrics are streaming summaries'),
    forbid(
      'scheduler',
      ['world', 'policies', ...upper],
      'the framework sees no world internals and no concrete policy',
    ),
    forbid('policies', ['world', ...upper], 'policies see the scheduler interfaces, never the world'),
    forbid('world', ['policies', ...upper], 'the world is handed a policy, it does not pick one'),
    forbid(
      'security',
      ['engine', 'world', 'scheduler', 'policies', 'forecast', ...upper.filter((l) => l !== 'security')],
      'the security model is library code over the model; the server and store call it, not the reverse',
    ),
    forbid('experiment', ['live', 'server', 'dashboard', 'cli'], 'experiments are library code'),
    forbid('report', ['live', 'server', 'dashboard', 'cli'], 'reports are library code'),
    forbid('store', ['server', 'dashboard', 'cli'], 'the store is library code'),
    forbid('security', ['server', 'dashboard', 'cli'], 'access policies are library code'),
    forbid('live', ['cli'], 'the live runtime, agents and devices are library code'),
    forbid('server', ['cli'], 'the server uses the public API'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    moduleSystems: ['es6'],
  },
};
