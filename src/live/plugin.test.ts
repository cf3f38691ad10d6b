import { describe, expect, it } from 'vitest';
import type { Decision } from '../scheduler/decision.js';
import { decisionForTenant } from './plugin.js';

const twins = new Map([
  ['acme-sensor-0', { tenantId: 'acme' }],
  ['acme-sensor-1', { tenantId: 'acme' }],
  ['globex-sensor-0', { tenantId: 'globex-corp' }],
]);
const rt = { twinByName: (name: string) => twins.get(name) as never };

const attention = (runnerUp: string): Decision => ({
  kind: 'attention',
  time: 3,
  subject: 'acme-sensor-0',
  chosen: 'edge-0',
  candidates: [{ id: 'edge-0', score: 1, parts: {} }],
  age: 2.5,
  detail: {
    softmax: 0.4,
    runnerUp: { twin: runnerUp, overdue: 1.25 },
    forecastSwitches: [{ key: 'globex-query', from: 'ewma', to: 'holt', time: 2 }],
  },
});

describe('decisionForTenant', () => {
  it("drops a runner-up twin of another tenant and the platform's forecaster switches", () => {
    const d = decisionForTenant(attention('globex-sensor-0'), 'acme', rt);
    expect(JSON.stringify(d)).not.toContain('globex');
    expect((d as { detail: unknown }).detail).toEqual({ softmax: 0.4 });
  });

  it('keeps a runner-up of the same tenant', () => {
    const d = decisionForTenant(attention('acme-sensor-1'), 'acme', rt);
    expect((d as { detail: Record<string, unknown> }).detail.runnerUp).toEqual({
      twin: 'acme-sensor-1',
      overdue: 1.25,
    });
  });

  it('leaves other kinds as they are', () => {
    const place: Decision = { kind: 'place', time: 1, subject: 'r-1/a', chosen: 'edge-0', candidates: [] };
    expect(decisionForTenant(place, 'acme', rt)).toBe(place);
  });
});
