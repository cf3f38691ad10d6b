/**
 * The scenario's JSON Schema, for editors (`$schema: ./scenario.schema.json`) and other tools.
 */
import { z } from 'zod';
import { scenarioSchema } from './schema.js';

/**
 * JSON Schema (draft 7) of a scenario file as written: fields with a default are optional.
 * Built from the zod schema, so it never disagrees with the validator on types and bounds.
 */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema, {
    io: 'input',
    unrepresentable: 'any',
    // Draft 7: what the YAML language server and most editors understand.
    target: 'draft-7',
  }) as Record<string, unknown>;
  return { ...schema, title: 'ARS scenario' };
}
