/** The shutdown sequence: order, errors, and the bound when a part never finishes closing. */
import { describe, expect, it } from 'vitest';
import { type Closable, shutdown } from './shutdown.js';

const part = (log: string[], name: string, behaviour: 'ok' | 'fail' | 'hang' = 'ok'): Closable => ({
  close: () => {
    log.push(name);
    if (behaviour === 'fail') return Promise.reject(new Error(`${name} failed`));
    if (behaviour === 'hang') return new Promise(() => {});
    return Promise.resolve();
  },
});

describe('shutdown', () => {
  it('closes the intake first, then the rest in order', async () => {
    const log: string[] = [];
    const outcome = await shutdown({
      intake: [part(log, 'http'), part(log, 'mqtt')],
      after: [part(log, 'leader'), part(log, 'store')],
    });
    expect(outcome.clean).toBe(true);
    expect(log).toEqual(['http', 'mqtt', 'leader', 'store']);
  });

  it('still closes the store when an intake part fails, and reports the failure', async () => {
    const log: string[] = [];
    const outcome = await shutdown({ intake: [part(log, 'http', 'fail')], after: [part(log, 'store')] });
    expect(log).toEqual(['http', 'store']);
    expect(outcome).toMatchObject({ clean: false, error: 'http failed' });
  });

  it('gives up at the bound when a part never finishes', async () => {
    const log: string[] = [];
    const outcome = await shutdown({ intake: [part(log, 'http', 'hang')], after: [part(log, 'store')] }, 100);
    expect(outcome).toMatchObject({ clean: false, error: 'shutdown took longer than 100 ms' });
  });
});
