/** Running several replicas: leader election on PostgreSQL and graceful shutdown. */
export {
  DEFAULT_LEADER_KEY,
  LeaderElector,
  type LeaderElectorOptions,
  type LeaderEvents,
  startLeaderElection,
} from './leader.js';
export {
  type Closable,
  exitOnSignals,
  type HttpService,
  httpIntake,
  type ShutdownOutcome,
  type ShutdownParts,
  shutdown,
} from './shutdown.js';
