/**
 * The scenario's own autoscaling rules, used for an elastic group unless the policy brings a `Scaler`.
 * Each returns the number of nodes the pool should have (up or being provisioned); the world clamps it to
 * [min, max], starts switched-off members to grow and switches off idle ones to shrink.
 */
import { Holt } from '../forecast/holt.js';
import type { NodeGroupSpec } from '../model/schema.js';
import type { Scaler } from '../scheduler/plugins.js';

type Rule = NonNullable<NodeGroupSpec['elastic']>['rule'];

export function ruleScaler(rule: Rule): Scaler {
  switch (rule.kind) {
    case 'queue-length':
      // one node more while more than `perNode` items wait per node; one less when nothing waits and a node idles
      return {
        name: 'queue-length',
        desired: (p) => {
          if (p.waiting > rule.perNode * Math.max(1, p.up)) return p.active + 1;
          if (p.waiting === 0 && p.idle > 0) return p.active - 1;
          return p.active;
        },
      };
    case 'target-utilization':
      // enough nodes that demand (reserved + waiting compute) sits at the target utilisation
      return {
        name: 'target-utilization',
        desired: (p) => Math.ceil((p.usedCompute + p.waitingCompute) / (rule.target * p.perNodeCompute)),
      };
    case 'forecast': {
      // the same sizing, for the demand Holt's linear trend expects once a node started now would be up,
      // so the pool grows ahead of a rising load instead of after it
      const holt = new Holt();
      return {
        name: 'forecast',
        desired: (p) => {
          const demand = p.usedCompute + p.waitingCompute;
          holt.update(demand);
          const ahead = Math.ceil(p.provisioningDelay / p.interval) + 1;
          const predicted = holt.forecast(ahead);
          const sized = Number.isFinite(predicted) ? Math.max(demand, predicted) : demand;
          return Math.ceil(sized / (rule.target * p.perNodeCompute));
        },
      };
    }
  }
}
