import { describe, expect, it } from 'vitest';
import { notePayloads, type TelemetryNote } from './serve.js';

describe('notePayloads', () => {
  it('packs notes into JSON arrays that fit a PostgreSQL notification, all of them, in order', () => {
    const notes: TelemetryNote[] = Array.from({ length: 500 }, (_, i) => ({
      thingId: `plant:sensor-${i}`,
      count: i + 1,
      newestTime: 1000 + i,
      latest: { value: { value: i } },
    }));
    const payloads = notePayloads(notes);
    expect(payloads.length).toBeGreaterThan(1);
    for (const p of payloads) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(7900);
    expect(payloads.flatMap((p) => JSON.parse(p) as TelemetryNote[])).toEqual(notes);
  });

  it('sends a note too large for one notification without its latest values', () => {
    const big: TelemetryNote = {
      thingId: 'plant:big',
      count: 1,
      newestTime: 5,
      latest: { value: { text: 'x'.repeat(10_000) } },
    };
    const [payload, ...rest] = notePayloads([big]);
    expect(rest).toEqual([]);
    expect(JSON.parse(payload!)).toEqual([{ thingId: 'plant:big', count: 1, newestTime: 5 }]);
  });
});
