/** The live service's HTTP, MQTT and event-stream side. Part B builds `ars serve` on these. */

export { installAuthentication, needsAuthentication } from './auth.js';
export {
  type AuthFile,
  authFileSchema,
  buildSecurity,
  loadAuthFile,
  type ServerSecurity,
} from './auth-config.js';
export { ERROR_CODES, HttpError, type HttpErrorCode, pointer, sendProblem } from './errors.js';
export {
  EVENT_TYPES,
  EventBus,
  type EventFilter,
  type LiveEvent,
  type LiveEventType,
  matches,
} from './events.js';
export {
  authorizeAgent,
  DEFAULT_POLICY,
  DEFAULT_POLICY_ID,
  type GuardOptions,
  isPlatformAdmin,
  LOCAL_ADMIN,
  ServerGuard,
} from './guard.js';
export { ingestSamples, type LiveContext, type Transport } from './ingest.js';
export { authorizeIngest } from './ingest-guard.js';
export { createLiveMetrics, type LiveMetrics, metricsFor } from './metrics.js';
export {
  handleTelemetryMessage,
  type MqttIngest,
  type MqttIngestOptions,
  type MqttOutcome,
  startMqttIngest,
  TELEMETRY_PREFIX,
} from './mqtt.js';
export { protectStore, type SensitiveOptions } from './sensitive-store.js';
export { API_PREFIX, createServer, type LiveServer, type ServerOptions } from './server.js';
export { DEFAULT_TENANT, etag, thingView } from './things.js';
