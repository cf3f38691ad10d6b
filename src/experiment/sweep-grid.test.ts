import { describe, expect, it } from 'vitest';
import { applyPoint, gridPoints, parseVary } from './sweep-grid.js';

const doc = {
  nodes: [
    { id: 'edge', count: 4, compute: 2 },
    { id: 'cloud', compute: 32 },
  ],
  workloads: [
    { id: 'q', arrival: { kind: 'poisson', rate: 8 } },
    { id: 'p', arrival: { kind: 'periodic', period: 10 } },
    { id: 'b', arrival: { kind: 'bursty', onRate: 4, offRate: 1, onMean: 5, offMean: 5 } },
  ],
};

describe('--vary specs', () => {
  it('reads lists, absolute ranges and factor ranges', () => {
    expect(parseVary('nodes.edge.count=4,8,16').values.map((v) => v.value)).toEqual([4, 8, 16]);
    expect(parseVary('x=1..4:4').values.map((v) => v.label)).toEqual(['1', '2', '3', '4']);
    const f = parseVary('workloads.*.rate=0.5x..3x:6').values;
    expect(f.map((v) => v.label)).toEqual(['0.5x', '1x', '1.5x', '2x', '2.5x', '3x']);
    expect(f.map((v) => v.factor)).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
    expect(parseVary('policy.name=fifo,drf').values.map((v) => v.value)).toEqual(['fifo', 'drf']);
  });

  it('refuses specs it cannot read, with the spec in the message', () => {
    expect(() => parseVary('nodes.edge.count')).toThrow(/expected PATH=VALUES/);
    expect(() => parseVary('a=1x..4:3')).toThrow(/both factors/);
    expect(() => parseVary('a=1..4:1')).toThrow(/2 to 1000 steps/);
    expect(() => parseVary('a=1,1')).toThrow(/twice/);
    expect(() => parseVary('a=0x')).toThrow(/positive/);
  });

  it('crosses the specs, the first varying slowest', () => {
    const points = gridPoints([parseVary('a=1,2'), parseVary('b=x,y,z')]);
    expect(points.map((p) => p.map((q) => q.value.label).join(''))).toEqual([
      '1x',
      '1y',
      '1z',
      '2x',
      '2y',
      '2z',
    ]);
    expect(() => gridPoints([parseVary('a=1'), parseVary('a=2')])).toThrow(/varied twice/);
  });
});

describe('applying a grid point', () => {
  it('sets a field of the entry with that id, and leaves the original alone', () => {
    const [point] = gridPoints([parseVary('nodes.edge.count=16')]);
    const out = applyPoint(doc, point!) as typeof doc;
    expect(out.nodes[0]!.count).toBe(16);
    expect(doc.nodes[0]!.count).toBe(4);
  });

  it('scales every workload rate with a factor, whatever its arrival kind', () => {
    const [point] = gridPoints([parseVary('workloads.*.rate=2x')]);
    const out = applyPoint(doc, point!) as { workloads: { arrival: Record<string, number> }[] };
    expect(out.workloads[0]!.arrival.rate).toBe(16);
    expect(out.workloads[1]!.arrival.period).toBe(5);
    expect(out.workloads[2]!.arrival).toMatchObject({ onRate: 8, offRate: 2 });
  });

  it('names the missing entry or field and suggests the closest', () => {
    const bad = (spec: string) => () => applyPoint(doc, gridPoints([parseVary(spec)])[0]!);
    expect(bad('nodes.edg.count=2')).toThrow(/no entry "edg" \(did you mean "edge"\?\)/);
    expect(bad('nodez.edge.count=2')).toThrow(/no field "nodez" \(did you mean "nodes"\?\)/);
    expect(bad('nodes.cloud.count=2x')).toThrow(/needs a number in the scenario/);
    expect(bad('workloads.p.rate=3')).toThrow(/poisson and diurnal arrivals only/);
  });
});
