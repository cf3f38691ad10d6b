/** The elector without a database: it never throws, keeps trying, warns, and never claims leadership. */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LeaderElector } from './leader.js';

describe('LeaderElector without PostgreSQL', () => {
  it('stays a follower, reports each failed attempt and stops cleanly', async () => {
    // A port that was free a moment ago: nothing listens there.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 1;
    await new Promise<void>((resolve) => server.close(() => resolve()));

    const elector = new LeaderElector({ url: `postgres://postgres@127.0.0.1:${port}/none`, retryMs: 20 });
    const warnings: Error[] = [];
    elector.on('warning', (e) => warnings.push(e));
    elector.on('elected', () => expect.unreachable('elected without a database'));
    await elector.start();
    for (let i = 0; i < 200 && warnings.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    expect(elector.isLeader).toBe(false);
    await elector.close();
  });
});
