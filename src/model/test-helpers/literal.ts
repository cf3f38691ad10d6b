// Scenarios written as object literals in tests, through the real loader (not exported from the package).
import { parseScenario } from '../load.js';
import type { Scenario } from '../scenario.js';
import type { ScenarioInput } from '../schema.js';

/**
 * The scenario `s` describes, with one tenant `t` and the name and horizon of `defaults` unless it gives its
 * own; `file` names it in messages.
 */
export function literalScenario(
  s: Partial<ScenarioInput> & Pick<ScenarioInput, 'nodes'>,
  defaults: { name: string; horizon: number; file?: string },
): Scenario {
  return parseScenario(
    JSON.stringify({
      name: defaults.name,
      horizon: defaults.horizon,
      tenants: [{ id: 't' }],
      ...s,
    } satisfies ScenarioInput),
    { format: 'json', ...(defaults.file !== undefined ? { file: defaults.file } : {}) },
  );
}
