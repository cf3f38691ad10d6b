#!/usr/bin/env node
// `npm run layers`: checks that imports point down the layers (.dependency-cruiser.cjs) and that src has no
// import circle, type-only imports included.
//
// dependency-cruiser reads TypeScript through the TypeScript compiler's JavaScript API, which TypeScript 7
// (the native compiler this project builds with) no longer ships; on dist/ the type-only imports are gone,
// so a circle held together by `import type` would pass. So this script lists every import and re-export
// of each source file, `import type` included, into a shadow tree of plain modules with the same paths
// (.ars-tmp/layers/src/...), and has dependency-cruiser judge that tree with the project's rules.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { cruise, format } from 'dependency-cruiser';

const root = process.cwd();
const shadow = join(root, '.ars-tmp', 'layers');

/** Source files the rules apply to: not the tests beside the code, which may reach across to build fixtures. */
function* sources(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'test-helpers') yield* sources(p);
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) yield p;
  }
}

// `import … from 'x'`, `import type … from 'x'`, `export … from 'x'`, `import 'x'` and `import('x')`:
// the statements start a line (biome formats them so); comments are dropped first
// (an `export const x = '…'` is no dependency: a `from` is needed unless the import is bare)
const STATIC =
  /^[ \t]*(?:import[ \t]+['"]([^'"]+)['"]|(?:import|export)\b[^;'"=]*?\bfrom[ \t\n]*['"]([^'"]+)['"])/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The module specifiers a TypeScript file depends on, type-only ones included. */
export function specifiers(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^[ \t]*\/\/.*$/gm, '');
  const out = new Set();
  for (const m of code.matchAll(STATIC)) out.add(m[1] ?? m[2]);
  for (const m of code.matchAll(DYNAMIC)) out.add(m[1]);
  return [...out];
}

rmSync(shadow, { recursive: true, force: true });
let files = 0;
for (const file of sources(join(root, 'src'))) {
  const rel = relative(root, file).replace(/\.ts$/, '.js');
  const deps = specifiers(readFileSync(file, 'utf8')).filter((s) => s.startsWith('.'));
  mkdirSync(dirname(join(shadow, rel)), { recursive: true });
  writeFileSync(join(shadow, rel), deps.map((d) => `import '${d}';\n`).join(''));
  files++;
}

const require = createRequire(import.meta.url);
const config = require(join(root, '.dependency-cruiser.cjs'));
process.chdir(shadow);
const result = await cruise(['src'], {
  ...config.options,
  validate: true,
  ruleSet: { forbidden: config.forbidden },
});
const summary = result.output.summary;
process.stdout.write(await format(result.output, { outputType: 'err' }).then((r) => r.output));
if (summary.totalCruised !== files) {
  process.stderr.write(`layers: cruised ${summary.totalCruised} modules of ${files} sources\n`);
  process.exitCode = 1;
} else if (summary.error > 0) process.exitCode = 1;
