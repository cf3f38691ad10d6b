/**
 * MQTT authentication and authorization for the embedded broker (aedes' `authenticate`,
 * `authorizePublish` and `authorizeSubscribe` hooks), built on the same `authenticate` and tenancy rules
 * as the REST surface. Structural types only: this module does not load aedes.
 *
 * Topics are scoped by tenant: `ars/<tenant>/…`, and an agent's own topics are
 * `ars/<tenant>/nodes/<node id>/…` (pass `route` to use another layout). The password carries the
 * credential (API key, node credential or OIDC token); the username is free, except that an agent's
 * username, when given, must be its node id.
 */
import { type AuthConfig, authenticate } from './authenticate.js';
import type { TenantLimiter } from './limits.js';
import { isAdmin, type Principal, streamVerdict } from './principal.js';

export interface MqttClientLike {
  readonly id: string;
  close(callback?: () => void): void;
}

export interface TopicRoute {
  readonly tenant: string;
  /** set on an agent's own topics */
  readonly node?: string | undefined;
}

/** `ars/<tenant>/…`, with `ars/<tenant>/nodes/<node>/…` for agents; anything else is not ours. */
export function defaultRoute(topic: string): TopicRoute | undefined {
  const parts = topic.split('/');
  if (parts[0] !== 'ars' || !parts[1] || parts.length < 3) return undefined;
  return parts[2] === 'nodes' && parts[3] ? { tenant: parts[1], node: parts[3] } : { tenant: parts[1] };
}

export interface MqttGuardOptions {
  readonly auth: AuthConfig;
  readonly route?: (topic: string) => TopicRoute | undefined;
  readonly limiter?: TenantLimiter;
  readonly now?: () => number;
  /** told of every refusal (for the audit log); never given credentials */
  readonly onDenied?: (event: {
    client: string;
    action: 'connect' | 'publish' | 'subscribe';
    topic?: string;
    reason: string;
  }) => void;
}

/** aedes' return codes for a refused CONNECT. */
const BAD_CREDENTIALS = 4;
const NOT_AUTHORIZED = 5;

const authError = (message: string, returnCode: number) => Object.assign(new Error(message), { returnCode });

export function createMqttGuard(options: MqttGuardOptions) {
  const route = options.route ?? defaultRoute;
  const now = options.now ?? Date.now;
  const principals = new WeakMap<MqttClientLike, Principal>();
  const denied = options.onDenied ?? (() => {});

  /** Closes the session when its credential expires (re-checked at most every minute). */
  const watchExpiry = (client: MqttClientLike, p: Principal) => {
    const check = () => {
      const v = streamVerdict(p, now());
      if (v.close) client.close();
      else setTimeout(check, v.checkInMs).unref();
    };
    if (p.expiresAt !== undefined) check();
  };

  const mayUse = (p: Principal, r: TopicRoute | undefined): string | null => {
    if (r === undefined) return 'not an ARS topic';
    if (isAdmin(p) && p.tenant === undefined) return null;
    if (r.tenant !== p.tenant) return 'another tenant';
    if (p.kind === 'agent' && r.node !== p.nodeId) return 'not this agent’s node';
    return null;
  };

  return {
    principalOf: (client: MqttClientLike) => principals.get(client),

    authenticate(
      client: MqttClientLike,
      username: string | undefined,
      password: Buffer | undefined,
      done: (error: (Error & { returnCode: number }) | null, success: boolean | null) => void,
    ): void {
      authenticate(options.auth, password?.toString('utf8')).then(
        (r) => {
          if (!r.ok) {
            denied({ client: client.id, action: 'connect', reason: r.reason });
            done(authError('bad credentials', BAD_CREDENTIALS), false);
            return;
          }
          const p = r.principal;
          if (p.kind === 'agent' && username !== undefined && username !== '' && username !== p.nodeId) {
            denied({ client: client.id, action: 'connect', reason: 'username is not the credential’s node' });
            done(authError('not authorized', NOT_AUTHORIZED), false);
            return;
          }
          principals.set(client, p);
          watchExpiry(client, p);
          done(null, true);
        },
        () => done(authError('authentication unavailable', 3), false),
      );
    },

    authorizePublish(
      client: MqttClientLike | null,
      packet: { readonly topic: string; readonly payload: Buffer | string },
      callback: (error?: Error | null) => void,
    ): void {
      if (client === null) {
        callback(null); // the broker's own messages
        return;
      }
      const p = principals.get(client);
      const why =
        p === undefined
          ? 'not authenticated'
          : packet.topic.startsWith('$')
            ? 'reserved topic'
            : mayUse(p, route(packet.topic));
      if (why !== null) {
        denied({ client: client.id, action: 'publish', topic: packet.topic, reason: why });
        callback(new Error(`publish refused: ${why}`));
        return;
      }
      const tenant = route(packet.topic)!.tenant;
      try {
        options.limiter?.messageSize(tenant, Buffer.byteLength(packet.payload));
        options.limiter?.samples(tenant, 1, now());
      } catch (e) {
        denied({ client: client.id, action: 'publish', topic: packet.topic, reason: (e as Error).message });
        callback(e as Error);
        return;
      }
      callback(null);
    },

    authorizeSubscribe(
      client: MqttClientLike,
      subscription: { readonly topic: string; readonly qos: number },
      callback: (error: Error | null, subscription?: { topic: string; qos: number } | null) => void,
    ): void {
      const p = principals.get(client);
      // a filter is allowed only when its tenant (and, for agents, node) levels are literal and the
      // principal's: `#`, `+/…` and `ars/+/…` would cross tenants
      const levels = subscription.topic.split('/');
      const literal = (i: number) => levels[i] !== undefined && levels[i] !== '+' && levels[i] !== '#';
      let why: string | null;
      if (p === undefined) why = 'not authenticated';
      else if (isAdmin(p) && p.tenant === undefined) why = null;
      else if (subscription.topic.startsWith('$')) why = 'reserved topic';
      else if (!literal(0) || !literal(1) || (p.kind === 'agent' && (!literal(2) || !literal(3))))
        why = 'wildcard across tenants or nodes';
      else why = mayUse(p, route(subscription.topic));
      if (why !== null) {
        denied({ client: client.id, action: 'subscribe', topic: subscription.topic, reason: why });
        callback(null, null); // a negative SUBACK; the session stays open
        return;
      }
      callback(null, { ...subscription });
    },
  };
}
