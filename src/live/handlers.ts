/**
 * What agents run. Task handlers take a task's input and return its output; update handlers take a twin's
 * state and the samples that arrived since its last refresh and return the new state. Both are async
 * functions; users add their own as named exports of an ES module (`ars agent --handlers ./my-tasks.js`).
 */

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ArsError } from '../errors.js';
import { AutoForecaster } from '../forecast/index.js';
import { parseScenario } from '../model/index.js';
import { policyNames } from '../policies/index.js';
import type { Sample, TaskInput } from './protocol.js';
import { simulateSnapshot, whatIfSchema } from './snapshot.js';

export interface HandlerContext {
  /** seconds of work at speed 1 the server expects this to take */
  readonly seconds: number;
  /** this agent's speed factor for the task's kind */
  readonly speed: number;
  readonly signal: AbortSignal;
  /** the server the agent works for (the `what-if` handler reads the live snapshot from it) */
  readonly server?: string | undefined;
  /** the agent's node credential, for the server's routes the handler calls (the `what-if` snapshot) */
  readonly token?: string | undefined;
}

export type TaskHandler = (input: TaskInput, ctx: HandlerContext) => Promise<unknown>;
export type UpdateHandler = (
  state: unknown,
  samples: readonly Sample[],
  ctx: HandlerContext,
) => Promise<unknown>;

/** Holds the agent's resources for `seconds / speed` of wall time: the busy work a demo runs anywhere. */
export function busy(ctx: HandlerContext): Promise<void> {
  const ms = (ctx.seconds / ctx.speed) * 1000;
  return new Promise((done, fail) => {
    if (ctx.signal.aborted) return fail(new Error('cancelled'));
    const timer = setTimeout(done, ms);
    ctx.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      fail(new Error('cancelled'));
    });
  });
}

/** Numeric features of a sample value: a plain number is the feature `value`. */
export function features(value: Sample['value']): Record<string, number> {
  if (typeof value === 'number') return { value };
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

type FeatureState = Record<string, number>;

/** Last value: the twin holds the newest sample's features. */
const last: UpdateHandler = async (state, samples) => {
  const newest = samples[samples.length - 1];
  return newest ? features(newest.value) : state;
};

/** Smoothing factor of the EWMA updater: the newest sample counts for 30 %. */
export const EWMA_ALPHA = 0.3;

/** Exponentially weighted moving average of each numeric feature over the samples in arrival order. */
const ewma: UpdateHandler = async (state, samples) => {
  const s: FeatureState = { ...((state as FeatureState | null) ?? {}) };
  for (const sample of samples)
    for (const [k, v] of Object.entries(features(sample.value)))
      s[k] = s[k] === undefined ? v : s[k]! + EWMA_ALPHA * (v - s[k]!);
  return s;
};

/**
 * Process and measurement noise variances of the Kalman updater, per second and per sample: a random-walk
 * state seen through noisy readings. Equal variances make the gain settle near 0.62 at one sample a second.
 */
export const KALMAN_Q = 1;
export const KALMAN_R = 1;

interface KalmanState {
  readonly mean: Record<string, number>;
  readonly variance: Record<string, number>;
  /** epoch ms of the last sample folded in */
  readonly time: number;
}

/** A scalar Kalman filter per numeric feature, with a random-walk model whose variance grows with elapsed time. */
const kalman: UpdateHandler = async (state, samples) => {
  const prev = state as KalmanState | null;
  const mean: Record<string, number> = { ...(prev?.mean ?? {}) };
  const variance: Record<string, number> = { ...(prev?.variance ?? {}) };
  let time = prev?.time ?? Number.NaN;
  for (const sample of samples) {
    const dt = Number.isFinite(time) ? Math.max(0, (sample.time - time) / 1000) : 0;
    for (const [k, z] of Object.entries(features(sample.value))) {
      if (mean[k] === undefined) {
        mean[k] = z;
        variance[k] = KALMAN_R;
        continue;
      }
      const p = variance[k]! + KALMAN_Q * dt;
      const gain = p / (p + KALMAN_R);
      mean[k] = mean[k]! + gain * (z - mean[k]!);
      variance[k] = (1 - gain) * p;
    }
    time = sample.time;
  }
  return { mean, variance, time };
};

export const BUILT_IN_UPDATERS: Readonly<Record<string, UpdateHandler>> = { last, ewma, kalman };

/** Steps ahead the `forecast` handler predicts unless the request asks for `params.steps`. */
export const FORECAST_STEPS = 5;

export const BUILT_IN_TASKS: Readonly<Record<string, TaskHandler>> = {
  work: async (_input, ctx) => {
    await busy(ctx);
    return { workedSeconds: ctx.seconds / ctx.speed };
  },
  'twin-query': async (input, ctx) => {
    await busy(ctx);
    return {
      twins: input.twins.map((t) => ({ thingId: t.thingId, state: t.state, ageSeconds: t.ageSeconds })),
    };
  },
  forecast: async (input, ctx) => {
    await busy(ctx);
    const steps = Number(input.params.steps ?? FORECAST_STEPS);
    const h = Number.isInteger(steps) && steps >= 1 ? Math.min(steps, 1000) : FORECAST_STEPS;
    return {
      forecasts: input.twins.map((t) => {
        const byFeature: Record<string, number[]> = {};
        const models = new Map<string, AutoForecaster>();
        for (const s of t.history)
          for (const [k, v] of Object.entries(features(s.value))) {
            let m = models.get(k);
            if (!m) models.set(k, (m = new AutoForecaster()));
            m.update(v);
          }
        for (const [k, m] of models) byFeature[k] = Array.from({ length: h }, (_, i) => m.forecast(i + 1));
        return { thingId: t.thingId, samples: t.history.length, forecast: byFeature };
      }),
    };
  },
  /**
   * Forks the live state into the simulator on this agent: reads the server's snapshot and simulates it under
   * `params.policies` (minutes, loadFactor, replications, seed as for `POST /api/v1/what-if`).
   */
  'what-if': async (input, ctx) => {
    const body = whatIfSchema.parse(input.params);
    if (!ctx.server) throw new Error('what-if needs the server address');
    const url = new URL('/api/v1/snapshot', ctx.server);
    url.searchParams.set('minutes', String(body.minutes));
    url.searchParams.set('loadFactor', String(body.loadFactor));
    url.searchParams.set('seed', String(body.seed));
    // with authentication, the node's credential reads the part of the snapshot its task's tenant owns
    url.searchParams.set('request', input.request);
    const res = await fetch(url, {
      signal: ctx.signal,
      ...(ctx.token !== undefined ? { headers: { authorization: `Bearer ${ctx.token}` } } : {}),
    });
    if (!res.ok) throw new Error(`snapshot: ${res.status} ${await res.text()}`);
    const scenario = parseScenario(await res.text(), { knownPolicies: policyNames() });
    const answer = await simulateSnapshot(scenario, body, [scenario.policy.name]);
    // the full metric documents stay on the agent; the request's result carries the predictions
    return { ...answer, results: answer.results.map(({ metrics: _, ...r }) => r) };
  },
};

export interface HandlerSet {
  readonly tasks: Readonly<Record<string, TaskHandler>>;
  readonly updaters: Readonly<Record<string, UpdateHandler>>;
  /** names the user module added, announced to the server at registration */
  readonly custom: readonly string[];
}

/**
 * Loads a user module: every exported async function becomes a task handler under its name, and an update
 * handler under the same name (a refresh names it `updater`). Built-in names cannot be overridden.
 */
export async function loadHandlers(file: string | undefined): Promise<HandlerSet> {
  if (!file) return { tasks: BUILT_IN_TASKS, updaters: BUILT_IN_UPDATERS, custom: [] };
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (err) {
    throw new ArsError('ARS_E_INPUT_FILE', `${file}: cannot load handlers module: ${(err as Error).message}`);
  }
  const tasks: Record<string, TaskHandler> = { ...BUILT_IN_TASKS };
  const updaters: Record<string, UpdateHandler> = { ...BUILT_IN_UPDATERS };
  const custom: string[] = [];
  for (const [name, fn] of Object.entries(mod)) {
    if (typeof fn !== 'function') continue;
    if (name in BUILT_IN_TASKS || name in BUILT_IN_UPDATERS)
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `${file}: export "${name}" would replace a built-in handler`,
      );
    tasks[name] = fn as TaskHandler;
    updaters[name] = fn as UpdateHandler;
    custom.push(name);
  }
  if (custom.length === 0)
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `${file}: exports no functions (expected named async functions)`,
    );
  return { tasks, updaters, custom };
}
