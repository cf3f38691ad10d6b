/** The live service's HTTP, MQTT and event-stream side. Part B builds `ars serve` on these. */
export { ERROR_CODES, HttpError, type HttpErrorCode, pointer, sendProblem } from './errors.js';
export {
  EVENT_TYPES,
  EventBus,
  type EventFilter,
  type LiveEvent,
  type LiveEventType,
  matches,
} from './events.js';
export { ingestSamples, type LiveContext, type Transport } from './ingest.js';
export { createLiveMetrics, type LiveMetrics } from './metrics.js';
export {
  handleTelemetryMessage,
  type MqttIngest,
  type MqttIngestOptions,
  type MqttOutcome,
  startMqttIngest,
  TELEMETRY_PREFIX,
} from './mqtt.js';
export { API_PREFIX, createServer, type LiveServer, type ServerOptions } from './server.js';
export { DEFAULT_TENANT, etag, thingView } from './things.js';
