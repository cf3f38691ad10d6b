/**
 * The agent protocol: JSON messages over one WebSocket per agent. An agent registers (its id, tier, compute
 * and attention capacity, speed factors, labels), sends heartbeats, receives `assign` messages and answers
 * each with a `result` naming the attempt it was given. Attempt ids make re-dispatch safe: when an agent
 * drops, its work is assigned again under a new attempt and a late result of the old one is ignored.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

const id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

export const registerMessage = z.strictObject({
  type: z.literal('register'),
  protocol: z.literal(PROTOCOL_VERSION).default(PROTOCOL_VERSION),
  id,
  kind: z.enum(['edge', 'fog', 'cloud']),
  compute: z.number().positive(),
  attention: z.number().nonnegative(),
  speed: z
    .strictObject({
      default: z.number().positive().default(1),
      kinds: z.record(z.string(), z.number().positive()).default({}),
    })
    .default({ default: 1, kinds: {} }),
  labels: z.record(z.string(), z.string()).default({}),
  /** handler names the agent can run besides the built-in ones */
  handlers: z.array(z.string()).default([]),
  costPerSecond: z.number().nonnegative().default(0),
});
export type RegisterMessage = z.output<typeof registerMessage>;

export const resultMessage = z.strictObject({
  type: z.literal('result'),
  attempt: z.number().int().nonnegative(),
  ok: z.boolean(),
  /** a task's output (any JSON), or for a refresh the twin's new state */
  output: z.unknown().optional(),
  /** for a refresh: generation time (epoch ms) of the newest sample the new state reflects */
  sampleTime: z.number().optional(),
  error: z.string().optional(),
});
export type ResultMessage = z.output<typeof resultMessage>;

export const agentMessage = z.discriminatedUnion('type', [
  registerMessage,
  z.strictObject({ type: z.literal('heartbeat') }),
  resultMessage,
]);
export type AgentMessage = z.output<typeof agentMessage>;

/** A sample as agents and stores see it: value(s) and generation time in epoch milliseconds. */
export interface Sample {
  readonly time: number;
  readonly value: number | Readonly<Record<string, number>>;
}

/** What a refresh carries to the agent: the twin, its update handler, its state and the samples since. */
export interface RefreshInput {
  readonly thingId: string;
  readonly updater: string;
  readonly state: unknown;
  readonly samples: readonly Sample[];
}

/** What a task carries: its twins' states (twin-query) and histories (forecast), the request's inputs. */
export interface TaskInput {
  readonly request: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly twins: readonly { thingId: string; state: unknown; ageSeconds: number; history: Sample[] }[];
  /** outputs of the tasks this one follows, by task id */
  readonly upstream: Readonly<Record<string, unknown>>;
}

export type ServerMessage =
  | { type: 'registered'; node: number; heartbeatMs: number }
  | {
      type: 'assign';
      attempt: number;
      id: string;
      work: 'task' | 'refresh';
      kind: string;
      handler: string;
      /** seconds of work at speed 1: the `work` handler is busy for work / speed */
      seconds: number;
      input: TaskInput | RefreshInput;
    }
  | { type: 'cancel'; attempt: number }
  | {
      type: 'error';
      code: string;
      message: string;
      /** with ARS_E_NOT_LEADER: the URL of the replica that schedules, when known */
      leader?: string;
    };
