/**
 * `GET /api/v1/events?types=twin,request,decision&thingId=&tenant=`: the live event stream, as a WebSocket
 * (one JSON text frame per event) when the request upgrades, else as Server-Sent Events (`event: <type>`,
 * `data: <json>`). `types` defaults to twin, request and decision; `telemetry` (one event per thing per stored
 * batch) only when asked. A consumer that falls more than {@link MAX_BUFFERED_BYTES} behind is disconnected
 * (WebSocket close 1013, SSE end) rather than let the server's memory grow.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { type Principal, streamVerdict } from '../security/index.js';
import type { Store } from '../store/store.js';
import { HttpError } from './errors.js';
import {
  EVENT_TYPES,
  type EventBus,
  type EventFilter,
  type LiveEvent,
  type LiveEventType,
} from './events.js';
import { isPlatformAdmin, type ServerGuard } from './guard.js';
import { Tenant, ThingId } from './schemas.js';
import { decisionForPrincipal, decisionOwners } from './telemetry.js';
import { readableSample, readableThing } from './things.js';

export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const SSE_HEARTBEAT_MS = 15_000;
const DEFAULT_TYPES: LiveEventType[] = ['twin', 'request', 'decision'];

const EventsQuery = Type.Object(
  {
    types: Type.Optional(
      Type.String({ maxLength: 256, description: `comma-separated: ${EVENT_TYPES.join(', ')}` }),
    ),
    thingId: Type.Optional(ThingId),
    tenant: Type.Optional(Tenant),
    access_token: Type.Optional(
      Type.String({ maxLength: 8192, description: 'credential for clients that cannot set headers' }),
    ),
  },
  { additionalProperties: false },
);

/**
 * Decides, event by event, what one subscriber may see: the event as is, a copy without the fields it may
 * not read, or nothing. The policy is looked up at each event, so a policy change applies to open streams
 * at once. Thing lookups are cached per stream and dropped when the thing changes.
 */
export function eventAuthorizer(guard: ServerGuard, store: Store, p: Principal, events?: EventBus) {
  const things = new Map<string, { tenant: string; policyId?: string | undefined } | null>();
  const governed = async (thingId: string, tenant: string) => {
    let g = things.get(thingId);
    if (g === undefined) {
      const t = await store.getThing(thingId);
      g = t ? { tenant: t.tenant, policyId: t.policyId } : null;
      if (things.size > 10_000) things.clear();
      things.set(thingId, g);
    }
    return g ?? { tenant };
  };
  return async (event: LiveEvent): Promise<LiveEvent | undefined> => {
    if (isPlatformAdmin(p)) return event;
    switch (event.type) {
      case 'twin': {
        things.delete(event.thingId);
        if (!guard.visible(p, event.tenant)) return undefined;
        const view = guard.view(p, await governed(event.thingId, event.tenant));
        if (event.data === undefined) return view.has('thing:/', 'READ') ? event : undefined;
        const d = event.data as { attributes?: unknown; features?: unknown };
        const shown = readableThing(view, {
          thingId: event.thingId,
          tenant: event.tenant,
          attributes: (d.attributes ?? {}) as never,
          features: (d.features ?? {}) as never,
          revision: event.revision,
          createdAt: 0,
          modifiedAt: 0,
          sourceTime: null,
        });
        if (!shown) return undefined;
        return { ...event, data: { attributes: shown.attributes, features: shown.features } as never };
      }
      case 'telemetry': {
        if (!guard.visible(p, event.tenant)) return undefined;
        const view = guard.view(p, await governed(event.thingId, event.tenant));
        const latest = readableSample(view, event.latest as never);
        return latest === undefined ? undefined : { ...event, latest: latest as never };
      }
      case 'request':
        return guard.visible(p, event.tenant) ? event : undefined;
      case 'decision': {
        const data = event.data as { kind?: unknown; detail?: unknown } | null | undefined;
        // data that is no decision is judged by its subject alone
        const decision =
          data !== null && typeof data === 'object' && typeof data.kind === 'string'
            ? (data as { kind: string; detail?: unknown })
            : { kind: '' };
        const shown = await decisionForPrincipal(
          guard,
          p,
          event.subject,
          decision,
          decisionOwners(store, events),
        );
        if (shown === undefined) return undefined;
        return shown === decision ? event : { ...event, data: shown as never };
      }
    }
  };
}

/**
 * Runs `onExpired` when the principal's credential expires (checked again at least every minute);
 * returns the function that stops watching.
 */
function watchExpiry(p: Principal, now: () => number, onExpired: () => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    const v = streamVerdict(p, now());
    if (v.close) onExpired();
    else timer = setTimeout(check, v.checkInMs);
  };
  if (p.expiresAt !== undefined) check();
  return () => clearTimeout(timer);
}

/** Delivers events in order through the authorizer, one at a time. */
function serial(authorize: (e: LiveEvent) => Promise<LiveEvent | undefined>, send: (e: LiveEvent) => void) {
  let chain = Promise.resolve();
  return (event: LiveEvent) => {
    chain = chain
      .then(() => authorize(event))
      .then((shown) => {
        if (shown) send(shown);
      })
      .catch(() => {});
  };
}

function eventFilter(
  query: { types?: string; thingId?: string; tenant?: string },
  p?: Principal,
): EventFilter {
  let types = DEFAULT_TYPES;
  if (query.types !== undefined) {
    const asked = query.types.split(',').map((t) => t.trim());
    const unknown = asked.find((t) => !EVENT_TYPES.includes(t as LiveEventType));
    if (unknown !== undefined || asked.length === 0) {
      throw new HttpError(
        'ARS_E_INPUT_VALIDATION',
        `unknown event type '${unknown}': use ${EVENT_TYPES.join(', ')}`,
        {
          in: 'query',
          pointer: '/types',
        },
      );
    }
    types = asked as LiveEventType[];
  }
  return {
    types,
    ...(query.thingId !== undefined ? { thingId: query.thingId } : {}),
    ...(query.tenant !== undefined
      ? { tenant: query.tenant }
      : p?.tenant !== undefined
        ? { tenant: p.tenant }
        : {}),
  };
}

export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { events, store } = app.ars;
  const guard = app.arsGuard;
  // Parsed before the upgrade, so that a bad filter answers 400 on both the WebSocket and the SSE path.
  const filters = new WeakMap<object, EventFilter>();
  app.route({
    method: 'GET',
    url: '/events',
    schema: {
      tags: ['events'],
      summary: 'Stream of twin changes, request state changes and decisions (WebSocket or SSE)',
      querystring: EventsQuery,
    },
    preHandler: async (request) => {
      filters.set(request, eventFilter(request.query, request.principal));
    },
    wsHandler: (socket, request) => {
      const p = request.principal;
      const filter = filters.get(request) ?? eventFilter(request.query, p);
      const deliver = serial(eventAuthorizer(guard, store, p, events), (event: LiveEvent) => {
        if (socket.readyState !== socket.OPEN) return;
        if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
          socket.close(1013, 'consumer too slow');
          return;
        }
        socket.send(JSON.stringify(event));
      });
      const unsubscribe = events.subscribe(filter, deliver);
      const unwatch = watchExpiry(p, guard.now, () => socket.close(1008, 'credential expired'));
      const stop = () => {
        unwatch();
        unsubscribe();
      };
      socket.on('close', stop);
      socket.on('error', stop);
      // Clients send nothing; anything they send is ignored.
    },
    handler: async (request, reply) => {
      const p = request.principal;
      const filter = filters.get(request) ?? eventFilter(request.query, p);
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      out.write(': ars event stream\n\n');
      let id = 0;
      const deliver = serial(eventAuthorizer(guard, store, p, events), (event) => {
        if (out.writableEnded) return;
        if (out.writableLength > MAX_BUFFERED_BYTES) {
          out.end();
          return;
        }
        out.write(`id: ${++id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      });
      const unsubscribe = events.subscribe(filter, deliver);
      const heartbeat = setInterval(() => out.write(': ping\n\n'), SSE_HEARTBEAT_MS);
      heartbeat.unref();
      const unwatch = watchExpiry(p, guard.now, () => {
        out.write('event: error\ndata: {"code":"ARS_E_AUTH_INVALID","detail":"credential expired"}\n\n');
        out.end();
      });
      const stop = () => {
        clearInterval(heartbeat);
        unwatch();
        unsubscribe();
      };
      request.raw.on('close', stop);
      out.on('close', stop);
    },
  });
};
