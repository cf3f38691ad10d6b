import { describe, expect, it } from 'vitest';
import type { LiveTaskSpec } from '../live/model.js';
import type { PlannedRequest } from '../live/requests.js';
import { openSqliteStore } from '../store/index.js';
import { StoredIntake } from './stored.js';

const task: LiveTaskSpec = {
  id: 'a',
  kind: 'generic',
  handler: 'work',
  work: 0.1,
  compute: 1,
  attention: 0,
  tier: undefined,
  twins: [],
  maxAge: undefined,
  after: [],
};
const plan: PlannedRequest = { workload: 'ad-hoc', tenant: 'acme', priority: 1, deadline: 5, tasks: [task] };

describe('StoredIntake', () => {
  it('gives two replicas racing on one store distinct ids that stay a prefix, each stored as queued with its plan', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    try {
      const a = new StoredIntake(store, () => 1000);
      const b = new StoredIntake(store, () => 1000);
      const made = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).create(plan, { k: i })),
      );
      const ids = made.map((r) => r.id).sort((x, y) => Number(x.slice(2)) - Number(y.slice(2)));
      expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => `r-${i}`));
      const stored = await store.getRequest(made[3]!.id);
      expect(stored).toMatchObject({ state: 'queued', tenant: 'acme', priority: 1, deadlineAt: 6000 });
      expect((stored!.spec as unknown as { plan: { tasks: LiveTaskSpec[] } }).plan.tasks[0]!.id).toBe('a');
      expect((stored!.spec as { params: unknown }).params).toEqual({ k: 3 });
      expect((await store.listTasks(made[3]!.id)).map((t) => t.state)).toEqual(['pending']);
    } finally {
      await store.close();
    }
  });
});
