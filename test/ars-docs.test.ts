/**
 * docs/ars-policy.md quotes the default weight of each attention feature; this keeps the table in step with
 * the parameters in src/policies/ars/params.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ATTENTION_FEATURES, PARAMS } from '../src/policies/ars/params.js';

const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'ars-policy.md'), 'utf8');

describe('docs/ars-policy.md', () => {
  it.each([...ATTENTION_FEATURES])('gives the default weight of the %s feature', (feature) => {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${feature}\` |`));
    expect(row, `a table row for ${feature}`).toBeDefined();
    const cells = row!.split('|').map((c) => c.trim());
    const quoted = Number(cells.at(-2));
    const key = `w${feature[0]!.toUpperCase()}${feature.slice(1)}` as keyof typeof PARAMS;
    expect(quoted).toBe(PARAMS[key].fallback);
  });
});
