/**
 * The live API's schemas, written once in TypeBox: they validate requests, type the handlers (through the
 * Fastify type provider) and make the OpenAPI document at `/openapi.json`.
 */
import { type Static, Type } from 'typebox';
import { THING_ID_PATTERN } from '../store/store.js';

/** Ditto's rule for feature ids and property keys: no slash, no whitespace, not empty. */
const KEY_PATTERN = '^[^/\\s]+$';
const JsonMap = (description: string) =>
  Type.Record(Type.String({ pattern: KEY_PATTERN }), Type.Unknown(), {
    additionalProperties: false,
    description,
  });

export const ThingId = Type.String({
  pattern: THING_ID_PATTERN,
  maxLength: 256,
  description: 'namespace:name, as in Eclipse Ditto (namespace like a Java package, name without `/`)',
  examples: ['factory.line1:press-3'],
});

export const Tenant = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'tenant id' });

export const Feature = Type.Object(
  {
    properties: Type.Optional(JsonMap('reported state')),
    desiredProperties: Type.Optional(JsonMap('the state the twin should reach')),
  },
  { additionalProperties: false },
);

const thingFields = {
  tenant: Type.Optional(Tenant),
  policyId: Type.Optional(Type.String({ maxLength: 256 })),
  attributes: Type.Optional(JsonMap('static or slowly changing metadata')),
  features: Type.Optional(
    Type.Record(Type.String({ pattern: KEY_PATTERN }), Feature, {
      additionalProperties: false,
      description: 'feature id → feature',
    }),
  ),
};

/** Body of `PUT /things/{thingId}`: `thingId` may be repeated, and must then match the path. */
export const ThingBody = Type.Object(
  { thingId: Type.Optional(ThingId), ...thingFields },
  { additionalProperties: false },
);
export type ThingBody = Static<typeof ThingBody>;

/** Body of `POST /things`. */
export const NewThingBody = Type.Object(
  { thingId: ThingId, ...thingFields },
  { additionalProperties: false },
);
export type NewThingBody = Static<typeof NewThingBody>;

/** A JSON Merge Patch (RFC 7396) of a thing; checked again as a whole thing after it is applied. */
export const ThingPatch = Type.Object(
  {},
  { additionalProperties: true, description: 'JSON Merge Patch (RFC 7396)' },
);

export const ThingView = Type.Object({
  thingId: Type.String(),
  tenant: Type.String(),
  policyId: Type.Optional(Type.String()),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  features: Type.Record(Type.String(), Type.Unknown()),
  revision: Type.Integer({ minimum: 1 }),
  created: Type.String({ format: 'date-time' }),
  modified: Type.String({ format: 'date-time' }),
  sourceTime: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description:
      'generation time of the newest sample the twin state reflects; its age of information runs from here',
  }),
});

export const ThingIdParams = Type.Object({ thingId: ThingId });

export const ListQuery = Type.Object(
  {
    filter: Type.Optional(
      Type.String({
        maxLength: 4096,
        description: 'RQL: eq, ne, gt, lt, ge, le, in, like, exists, and, or, not',
      }),
    ),
    tenant: Type.Optional(Tenant),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
    cursor: Type.Optional(Type.String({ maxLength: 2048, description: '`next` of the previous page' })),
  },
  { additionalProperties: false },
);
export type ListQuery = Static<typeof ListQuery>;

export const PageOf = <T extends ReturnType<typeof Type.Object>>(item: T) =>
  Type.Object({ items: Type.Array(item), next: Type.Optional(Type.String()) });

export const Timestamp = Type.Union([
  Type.Number({ minimum: 0, description: 'milliseconds since the Unix epoch' }),
  Type.String({ format: 'date-time', description: 'RFC 3339 time' }),
]);

export const SampleBody = Type.Object(
  {
    thingId: ThingId,
    time: Type.Optional(Timestamp),
    features: Type.Record(Type.String({ pattern: KEY_PATTERN }), JsonMap('property → value'), {
      additionalProperties: false,
      description: 'feature id → property → value',
    }),
  },
  {
    additionalProperties: false,
    description: 'one sample; `time` is its generation time (default: arrival)',
  },
);
export type SampleBody = Static<typeof SampleBody>;

export const MAX_BATCH = 10_000;

export const TelemetryBody = Type.Union(
  [SampleBody, Type.Array(SampleBody, { minItems: 1, maxItems: MAX_BATCH })],
  {
    description: `one sample, or a batch (array) of up to ${MAX_BATCH}; a batch is stored all or nothing`,
  },
);

export const TelemetryQuery = Type.Object(
  { tenant: Type.Optional(Tenant) },
  { additionalProperties: false, description: 'tenant: refuse samples of things of any other tenant' },
);

export const TelemetryReply = Type.Object({ stored: Type.Integer(), firstSeq: Type.Integer() });

export const SamplesQuery = Type.Object(
  {
    since: Type.Optional(Timestamp),
    until: Type.Optional(Timestamp),
    feature: Type.Optional(Type.String({ pattern: KEY_PATTERN })),
    order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' }),
    limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
  },
  { additionalProperties: false },
);
export type SamplesQuery = Static<typeof SamplesQuery>;

export const DecisionsQuery = Type.Object(
  {
    subject: Type.Optional(
      Type.String({ maxLength: 512, description: 'task (request/task), twin or request id' }),
    ),
    kind: Type.Optional(Type.String({ maxLength: 64 })),
    // bounded by the largest exact integer: a seq past it cannot exist, and PostgreSQL's bigint refuses 2^63
    after: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'only decisions with a larger seq',
      }),
    ),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);
export type DecisionsQuery = Static<typeof DecisionsQuery>;

export const Problem = Type.Object({
  status: Type.Integer(),
  code: Type.String(),
  title: Type.String(),
  detail: Type.String(),
  in: Type.Optional(Type.String()),
  pointer: Type.Optional(Type.String()),
  errors: Type.Optional(
    Type.Array(
      Type.Object({
        in: Type.Optional(Type.String()),
        pointer: Type.Optional(Type.String()),
        detail: Type.String(),
      }),
    ),
  ),
});

/** Milliseconds since the epoch from a number or an RFC 3339 string (already validated by the schema). */
export const toMillis = (t: number | string): number => (typeof t === 'number' ? t : Date.parse(t));
