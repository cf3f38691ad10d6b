import { ArsError } from '../errors.js';
import { didYouMean } from '../model/did-you-mean.js';
import type { Profile } from './profile.js';

/** Reads a policy's parameters; knows which names the policy accepts so typos are errors. */
export interface PolicyFactory {
  readonly name: string;
  /** one line for `ars policies` */
  readonly summary: string;
  /** placement rule, attention rule and what else it uses, for `ars policies` */
  readonly placement: string;
  readonly attention: string;
  /** parameter names with a one-line description and default */
  readonly params: Readonly<Record<string, string>>;
  /** builds a fresh profile (plugins may hold per-run state, so one profile per run) */
  create(params: Readonly<Record<string, unknown>>): Profile;
}

/** Maps policy names to factories. Refuses duplicates, as the Kubernetes registry does. */
export class PolicyRegistry {
  readonly #factories = new Map<string, PolicyFactory>();

  register(factory: PolicyFactory): this {
    if (this.#factories.has(factory.name)) {
      throw new ArsError('ARS_E_INTERNAL', `policy ${factory.name} is registered twice`);
    }
    this.#factories.set(factory.name, factory);
    return this;
  }

  has(name: string): boolean {
    return this.#factories.has(name);
  }

  names(): string[] {
    return [...this.#factories.keys()].sort();
  }

  factories(): PolicyFactory[] {
    return this.names().map((n) => this.#factories.get(n)!);
  }

  get(name: string): PolicyFactory {
    const f = this.#factories.get(name);
    if (!f) {
      throw new ArsError(
        'ARS_E_POLICY',
        `unknown policy "${name}"${didYouMean(name, this.names())} (known: ${this.names().join(', ')})`,
      );
    }
    return f;
  }

  /** Builds a profile, refusing parameters the policy does not know. */
  create(name: string, params: Readonly<Record<string, unknown>> = {}): Profile {
    const f = this.get(name);
    for (const key of Object.keys(params)) {
      if (!Object.hasOwn(f.params, key)) {
        const known = Object.keys(f.params);
        throw new ArsError(
          'ARS_E_POLICY',
          `policy ${name}: unknown parameter "${key}" (known: ${known.length > 0 ? known.join(', ') : 'none'})`,
        );
      }
    }
    return f.create(params);
  }
}

/** Reads a numeric parameter with a default and bounds, or throws a policy error naming it. */
export function numberParam(
  policy: string,
  params: Readonly<Record<string, unknown>>,
  key: string,
  fallback: number,
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
): number {
  const v = params[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new ArsError(
      'ARS_E_POLICY',
      `policy ${policy}: parameter ${key} must be a number in [${min}, ${max}], got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/** Reads a string parameter restricted to a set of values. */
export function choiceParam<T extends string>(
  policy: string,
  params: Readonly<Record<string, unknown>>,
  key: string,
  choices: readonly T[],
  fallback: T,
): T {
  const v = params[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw new ArsError(
      'ARS_E_POLICY',
      `policy ${policy}: parameter ${key} must be one of ${choices.join(', ')}, got ${JSON.stringify(v)}`,
    );
  }
  return v as T;
}
