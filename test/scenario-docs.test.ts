// docs/scenario.md is generated from the schema; this fails when someone changed one without the other.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain JS script without type declarations
import { docsFile, renderScenarioDocs, workedExample } from '../scripts/gen-scenario-docs.js';
import { parseScenario } from '../src/model/index.js';

describe('docs/scenario.md', () => {
  it('is up to date with the schema (run `node scripts/gen-scenario-docs.js` after `npm run build`)', () => {
    expect(docsFile).toBe(join(import.meta.dirname, '..', 'docs', 'scenario.md'));
    expect(readFileSync(docsFile, 'utf8')).toBe(renderScenarioDocs());
  });
  it('documents every top-level field', () => {
    const text = readFileSync(docsFile, 'utf8');
    for (const field of ['horizon', 'tenants', 'nodes', 'network', 'assets', 'workloads', 'policy'])
      expect(text).toContain(`| \`${field}\` |`);
  });
  it('has a worked example that validates and expands as the text says', () => {
    const s = parseScenario(workedExample as string);
    expect(s.nodes.map((n) => n.id)).toEqual(['edge-0', 'edge-1', 'cloud']);
    expect(s.twins.map((t) => t.id)).toEqual(['press-0', 'press-1']);
    expect(s.workloads[0]!.tasks.map((t) => t.id)).toEqual(['snapshot', 'simulate', 'report']);
  });
});
