/**
 * Elastic pools: node groups that grow and shrink. Every `interval` the group's scaler (the profile's, or
 * the scenario's rule) is shown the pool and what waits for it and says how many nodes it wants; the pool
 * switches on members that are off (they are up after the provisioning delay, at a cost) or switches off
 * idle ones, within [min, max].
 */
import type { PoolView, Scaler } from '../scheduler/plugins.js';
import type { Accounting } from './accounting.js';
import type { WorldCore } from './core.js';
import { ruleScaler } from './scaler.js';
import type { NodeRt } from './state.js';
import { scaleDecision } from './trace.js';

export class Pools {
  readonly #w: WorldCore;
  readonly #accounts: Accounting;
  /** the scenario's scaling rule of each elastic group, used unless the profile has a scaler */
  readonly #ruleScalers = new Map<string, Scaler>();

  constructor(w: WorldCore, accounts: Accounting) {
    this.#w = w;
    this.#accounts = accounts;
  }

  /** Elastic pools start at their `count`: the members past it exist but are off. */
  static initialStates(w: Pick<WorldCore, 'scenario' | 'nodes'>): void {
    const startCount = new Map(w.scenario.nodeGroups.map((g) => [g.id, g.count]));
    // position within the group, not `def.index` (the position among all nodes)
    const member = new Map<string, number>();
    for (const n of w.nodes) {
      const k = member.get(n.group) ?? 0;
      member.set(n.group, k + 1);
      if (k >= (startCount.get(n.group) ?? Number.POSITIVE_INFINITY)) n.state = 'off';
    }
  }

  /** Schedules each elastic group's first scaling decision. */
  start(): void {
    for (const g of this.#w.scenario.nodeGroups) {
      if (!g.elastic) continue;
      this.#ruleScalers.set(g.id, ruleScaler(g.elastic.rule));
      this.#w.sim.schedule(g.elastic.interval, this.#onScale, g.id);
    }
  }

  readonly #onScale = (groupId: string): void => {
    const w = this.#w;
    const g = w.scenario.nodeGroups.find((x) => x.id === groupId)!;
    const e = g.elastic!;
    const members = w.nodes.filter((n) => n.group === groupId);
    const active = members.filter((n) => n.state === 'up' || n.state === 'provisioning');
    const up = members.filter((n) => n.state === 'up');
    let waiting = 0;
    let waitingCompute = 0;
    for (const it of w.runtime.queue.items()) {
      if (it.tier === undefined || it.tier === g.tier) {
        waiting++;
        waitingCompute += it.compute;
      }
    }
    const pool: PoolView = {
      group: g.id,
      tier: g.tier,
      min: e.min,
      max: e.max,
      active: active.length,
      up: up.length,
      idle: up.filter((n) => n.running === 0).length,
      perNodeCompute: g.compute,
      usedCompute: up.reduce((a, n) => a + n.usedCompute, 0),
      waiting,
      waitingCompute,
      interval: e.interval,
      provisioningDelay: e.provisioningDelay,
      provisioningCost: e.provisioningCost,
    };
    const scaler = w.profile.scaler ?? this.#ruleScalers.get(g.id)!;
    let desired = Math.round(scaler.desired(pool, w));
    if (!Number.isFinite(desired)) desired = active.length;
    desired = Math.max(e.min, Math.min(e.max, desired));
    const now = w.sim.now;
    const accounts = this.#accounts;
    if (desired > active.length) {
      for (const n of members) {
        if (desired <= members.filter((m) => m.state === 'up' || m.state === 'provisioning').length) break;
        if (n.state !== 'off') continue;
        accounts.node(n);
        n.state = 'provisioning';
        accounts.scaleUps++;
        if (now >= w.warmup) accounts.provisioningCost += e.provisioningCost;
        w.sim.schedule(e.provisioningDelay, this.#onProvisioned, n);
        w.trace?.record(scaleDecision(now, g.id, n.id, 'up', desired));
      }
    } else if (desired < active.length) {
      let excess = active.length - desired;
      for (let i = members.length - 1; i >= 0 && excess > 0; i--) {
        const n = members[i]!;
        if (n.state !== 'up' || n.running > 0) continue;
        accounts.node(n);
        n.state = 'off';
        excess--;
        accounts.scaleDowns++;
        w.trace?.record(scaleDecision(now, g.id, n.id, 'down', desired));
      }
    }
    if (now + e.interval < w.horizon) w.sim.schedule(e.interval, this.#onScale, groupId);
  };

  readonly #onProvisioned = (n: NodeRt): void => {
    this.#accounts.node(n);
    if (n.state === 'provisioning') n.state = 'up';
    this.#w.requestCycle();
  };
}
