// Every command module registers itself on the program. Add one line per command.
import type { Command } from 'commander';
import { register as agent } from './agent.js';
import { register as audit } from './audit.js';
import { register as bound } from './bound.js';
import { register as compare } from './compare.js';
import { register as devices } from './devices.js';
import { register as drf } from './drf.js';
import { register as explain } from './explain.js';
import { register as keys } from './keys.js';
import { register as load } from './load.js';
import { register as plan } from './plan.js';
import { register as policies } from './policies.js';
import { register as report } from './report.js';
import { register as run } from './run.js';
import { register as runs } from './runs.js';
import { register as schema } from './schema.js';
import { register as serve } from './serve.js';
import { register as snapshot } from './snapshot.js';
import { register as sweep } from './sweep.js';
import { register as tune } from './tune.js';
import { register as validate } from './validate.js';
import { register as worker } from './worker.js';

export type Register = (program: Command) => void;

export const commands: Register[] = [
  run,
  compare,
  sweep,
  runs,
  worker,
  report,
  policies,
  plan,
  drf,
  validate,
  schema,
  tune,
  bound,
  explain,
  audit,
  keys,
  serve,
  agent,
  snapshot,
  devices,
  load,
];
