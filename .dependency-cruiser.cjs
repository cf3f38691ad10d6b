// Imports point down the layer picture of DESIGN.md section 2. Checked on the compiled dist/ tree.
const layer = (name) => `^dist/${name}/`;
const forbid = (from, to, comment) => ({
  name: `${from}-not-${to.join('-')}`,
  comment,
  severity: 'error',
  from: { path: layer(from) },
  to: { path: `^dist/(${to.join('|')})/` },
});
const upper = ['experiment', 'report', 'store', 'live', 'server', 'dashboard', 'cli'];

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
    forbid('experiment', ['live', 'server', 'dashboard', 'cli'], 'experiments are library code'),
    forbid('report', ['live', 'server', 'dashboard', 'cli'], 'reports are library code'),
    forbid('store', ['server', 'dashboard', 'cli'], 'the store is library code'),
    forbid('live', ['cli'], 'the live runtime, agents and devices are library code'),
    forbid('server', ['cli'], 'the server uses the public API'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.map$' },
    moduleSystems: ['es6'],
  },
};
