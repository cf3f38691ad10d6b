/**
 * Graceful shutdown of a replica: on `SIGTERM` (Kubernetes, systemd, `docker stop`) or `SIGINT`, stop
 * accepting (HTTP listener and MQTT broker or subscription closed; Fastify answers the requests already
 * running), step down from leadership, then flush and close the store, all within `timeoutMs`. Past the bound the
 * process exits anyway with code 1: whatever was acknowledged is already committed, so cutting short loses
 * nothing acknowledged (docs/reliability.md).
 */

/** Something that can be closed: the Fastify app, the MQTT ingest, the leader elector, the store. */
export interface Closable {
  close(): Promise<void>;
}

export interface ShutdownParts {
  /** Closed first, together: they stop taking new work. */
  intake: Closable[];
  /** Closed next, in order (e.g. the leader elector, then the store, whose close flushes pending commits). */
  after: Closable[];
}

export type ShutdownOutcome = { clean: true; ms: number } | { clean: false; ms: number; error: string };

export async function shutdown(parts: ShutdownParts, timeoutMs = 10_000): Promise<ShutdownOutcome> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`shutdown took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  const work = (async () => {
    const results = await Promise.allSettled(parts.intake.map((p) => p.close()));
    let failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    for (const p of parts.after) {
      try {
        await p.close();
      } catch (error) {
        failure ??= { status: 'rejected', reason: error };
      }
    }
    if (failure) throw failure.reason;
  })();
  try {
    await Promise.race([work, bound]);
    return { clean: true, ms: Date.now() - started };
  } catch (error) {
    return {
      clean: false,
      ms: Date.now() - started,
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs {@link shutdown} on the first `SIGTERM` or `SIGINT` and exits (0 clean, 1 otherwise); a second signal
 * exits at once. Returns a function that removes the handlers.
 */
export function exitOnSignals(
  parts: ShutdownParts,
  options: { timeoutMs?: number; log?: (outcome: ShutdownOutcome) => void } = {},
): () => void {
  let stopping = false;
  const handler = () => {
    if (stopping) process.exit(1);
    stopping = true;
    void shutdown(parts, options.timeoutMs).then((outcome) => {
      options.log?.(outcome);
      process.exit(outcome.clean ? 0 : 1);
    });
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}

/** The part of a Fastify instance (or any HTTP service) {@link httpIntake} needs. */
export interface HttpService {
  close(): Promise<unknown>;
  server: { closeIdleConnections(): void; closeAllConnections(): void };
}

/**
 * Closing an HTTP service gracefully: stop listening, let the requests already running finish, and end each
 * keep-alive connection as soon as it falls idle (a client that keeps sending on its connection would otherwise
 * hold the close open forever). After `graceMs` the connections still open are cut; their requests were not
 * answered, so nothing they carried was acknowledged.
 */
export function httpIntake(app: HttpService, graceMs = 3000): Closable {
  return {
    close: async () => {
      const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
      const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
        clearTimeout(cut);
      }
    },
  };
}
