/**
 * `GET /api/v1/events?types=twin,request,decision&thingId=&tenant=`: the live event stream, as a WebSocket
 * (one JSON text frame per event) when the request upgrades, else as Server-Sent Events (`event: <type>`,
 * `data: <json>`). `types` defaults to twin, request and decision; `telemetry` (one event per thing per stored
 * batch) only when asked. A consumer that falls more than {@link MAX_BUFFERED_BYTES} behind is disconnected
 * (WebSocket close 1013, SSE end) rather than let the server's memory grow.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { HttpError } from './errors.js';
import { EVENT_TYPES, type EventFilter, type LiveEvent, type LiveEventType } from './events.js';
import { Tenant, ThingId } from './schemas.js';

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
  },
  { additionalProperties: false },
);

function eventFilter(query: { types?: string; thingId?: string; tenant?: string }): EventFilter {
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
    ...(query.tenant !== undefined ? { tenant: query.tenant } : {}),
  };
}

export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { events } = app.ars;
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
      filters.set(request, eventFilter(request.query));
    },
    wsHandler: (socket, request) => {
      const filter = filters.get(request) ?? eventFilter(request.query);
      const unsubscribe = events.subscribe(filter, (event: LiveEvent) => {
        if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
          socket.close(1013, 'consumer too slow');
          return;
        }
        socket.send(JSON.stringify(event));
      });
      socket.on('close', unsubscribe);
      socket.on('error', unsubscribe);
      // Clients send nothing; anything they send is ignored.
    },
    handler: async (request, reply) => {
      const filter = filters.get(request) ?? eventFilter(request.query);
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
      const unsubscribe = events.subscribe(filter, (event) => {
        if (out.writableLength > MAX_BUFFERED_BYTES) {
          out.end();
          return;
        }
        out.write(`id: ${++id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      });
      const heartbeat = setInterval(() => out.write(': ping\n\n'), SSE_HEARTBEAT_MS);
      heartbeat.unref();
      const stop = () => {
        clearInterval(heartbeat);
        unsubscribe();
      };
      request.raw.on('close', stop);
      out.on('close', stop);
    },
  });
};
