/**
 * The in-process event bus of the live service: twin changes, request state changes, decisions and telemetry
 * arrivals. Routes and the MQTT ingest emit; the event stream (`/api/v1/events`), the scheduling runtime and
 * tests subscribe. Delivery is synchronous and in emission order; a listener that throws is reported to
 * `onListenerError` and the other listeners still run.
 */
import type { Json } from '../store/store.js';

export type LiveEvent =
  | {
      type: 'twin';
      /** created, modified, deleted (registry writes) or refreshed (an update handler moved the state). */
      action: 'created' | 'modified' | 'deleted' | 'refreshed';
      thingId: string;
      tenant: string;
      revision: number;
      /** Wall-clock milliseconds of the change. */
      time: number;
      /** Generation time of the newest sample the state reflects (refreshes). */
      sourceTime?: number | null;
      data?: Json;
    }
  | {
      type: 'request';
      requestId: string;
      tenant: string;
      state: string;
      /** Set when the change is one task's. */
      taskId?: string;
      node?: string;
      time: number;
      data?: Json;
    }
  | {
      type: 'decision';
      kind: string;
      subject: string;
      node?: string;
      seq?: number;
      time: number;
      data?: Json;
    }
  | {
      type: 'telemetry';
      thingId: string;
      tenant: string;
      /** Samples stored for this thing in one batch. */
      count: number;
      /** Newest generation time among them. */
      newestTime: number;
      /** The values of the newest of them (feature → property → value), so a listener need not read the store. */
      latest: Record<string, Record<string, Json>>;
      transport: 'http' | 'mqtt';
      time: number;
    };

export type LiveEventType = LiveEvent['type'];
export const EVENT_TYPES: readonly LiveEventType[] = ['twin', 'request', 'decision', 'telemetry'];

export interface EventFilter {
  /** Only these types; all when absent. */
  types?: readonly LiveEventType[];
  /** Only events about this thing (twin and telemetry events; decisions whose subject is the thing). */
  thingId?: string;
  tenant?: string;
}

export function matches(event: LiveEvent, filter: EventFilter): boolean {
  if (filter.types && !filter.types.includes(event.type)) return false;
  if (filter.thingId !== undefined) {
    const about = event.type === 'decision' ? event.subject : 'thingId' in event ? event.thingId : undefined;
    if (about !== filter.thingId) return false;
  }
  if (filter.tenant !== undefined && 'tenant' in event && event.tenant !== filter.tenant) return false;
  return true;
}

type Listener = (event: LiveEvent) => void;

export class EventBus {
  private readonly listeners = new Set<{ filter: EventFilter; listener: Listener }>();
  /**
   * The tenant of a twin named in a decision by the scheduler's twin id (`acme-sensor-0`, not a thing id),
   * set by the live runtime's plugin: the event stream shows a tenant decisions about its own twins, and
   * an attention decision's runner-up only when that twin is its own. Undefined for an unknown name.
   */
  twinTenant: ((twin: string) => string | undefined) | undefined;

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  emit(event: LiveEvent): void {
    for (const entry of this.listeners) {
      if (!matches(event, entry.filter)) continue;
      try {
        entry.listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** Returns the function that unsubscribes. */
  subscribe(filter: EventFilter, listener: Listener): () => void {
    const entry = { filter, listener };
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  get size(): number {
    return this.listeners.size;
  }
}
